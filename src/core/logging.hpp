// One named logger per module, shared by every layer. Light on purpose: spdlog is only forward-declared here,
// so a header that includes this one does not pull spdlog in; the .cpp that logs includes <spdlog/logger.h>.
//
//   #include <spdlog/logger.h>
//   core::logger(core::LogModule::kSip).debug("sent {} bytes to {}", n, peer);
//
// Levels are atomic inside spdlog, so setLogLevel() may be called at run time from any thread; the sink and
// the format are switched under the registry's lock and the sink's own lock.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace spdlog {
class logger;
namespace sinks {
class sink;
}  // namespace sinks
}  // namespace spdlog

namespace callgate::core {

// One logger per layer of ARCHITECTURE.md §2; its name is what `[log.modules]` and the log lines use.
enum class LogModule : uint8_t { kApp, kApi, kGateway, kSip, kSdp, kWebrtc, kRtp, kMedia, kNet };
inline constexpr std::array kLogModules{LogModule::kApp, LogModule::kApi,   LogModule::kGateway,
                                        LogModule::kSip, LogModule::kSdp,   LogModule::kWebrtc,
                                        LogModule::kRtp, LogModule::kMedia, LogModule::kNet};

// Same order and meaning as spdlog's levels.
enum class LogLevel : uint8_t { kTrace, kDebug, kInfo, kWarn, kError, kCritical, kOff };
inline constexpr std::array kLogLevels{LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo,
                                       LogLevel::kWarn,  LogLevel::kError, LogLevel::kCritical,
                                       LogLevel::kOff};

// kText: one human line per message (time, level, module, text), coloured on a terminal.
// kJson: one JSON object per line ({"time","level","module","msg"}) for log collectors.
enum class LogFormat : uint8_t { kText, kJson };
inline constexpr std::array kLogFormats{LogFormat::kText, LogFormat::kJson};

std::string_view logModuleName(LogModule module);
std::optional<LogModule> parseLogModule(std::string_view name);
std::string_view logLevelName(LogLevel level);
std::optional<LogLevel> parseLogLevel(std::string_view name);
std::string_view logFormatName(LogFormat format);
std::optional<LogFormat> parseLogFormat(std::string_view name);

// The module's logger. Lives until the end of the process (loggers are created once, never replaced).
spdlog::logger& logger(LogModule module);

void setLogLevel(LogModule module, LogLevel level);
LogLevel logLevel(LogModule module);

void setLogFormat(LogFormat format);
LogFormat logFormat();

// Sends every module's output to `sink` instead of stderr (tests capture logs this way); nullptr restores
// stderr. The current format is applied to the new sink.
void setLogSink(std::shared_ptr<spdlog::sinks::sink> sink);

}  // namespace callgate::core
