#include "core/logging.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/formatter.h>
#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <ctime>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace callgate::core {
namespace {

constexpr std::array<std::string_view, kLogModules.size()> kModuleNames{
    "app", "api", "gateway", "sip", "sdp", "webrtc", "rtp", "media", "net"};
constexpr std::array<std::string_view, kLogLevels.size()> kLevelNames{"trace", "debug",    "info", "warn",
                                                                      "error", "critical", "off"};
constexpr std::array<std::string_view, kLogFormats.size()> kFormatNames{"text", "json"};

// ISO 8601 local time with the offset, so lines from hosts in different zones still sort and compare.
constexpr const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%e%z %^%-8l%$ [%n] %v";

static_assert(static_cast<int>(LogLevel::kTrace) == spdlog::level::trace);
static_assert(static_cast<int>(LogLevel::kCritical) == spdlog::level::critical);
static_assert(static_cast<int>(LogLevel::kOff) == spdlog::level::off);

spdlog::level::level_enum toSpdlog(LogLevel level) {
  return static_cast<spdlog::level::level_enum>(level);
}

void appendText(spdlog::memory_buf_t& dest, std::string_view text) {
  dest.append(text.data(), text.data() + text.size());
}

// JSON string body (RFC 8259 §7). Bytes >= 0x80 pass through: callers log network bytes via
// core::printable().
void appendJsonEscaped(spdlog::memory_buf_t& dest, std::string_view text) {
  constexpr std::string_view kHex = "0123456789abcdef";
  for (char c : text) {
    switch (c) {
      case '"':
        appendText(dest, "\\\"");
        break;
      case '\\':
        appendText(dest, "\\\\");
        break;
      case '\n':
        appendText(dest, "\\n");
        break;
      case '\r':
        appendText(dest, "\\r");
        break;
      case '\t':
        appendText(dest, "\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          const auto u = static_cast<unsigned char>(c);
          const char escaped[] = {'\\', 'u', '0', '0', kHex[u >> 4], kHex[u & 0xf]};
          dest.append(escaped, escaped + sizeof(escaped));
        } else {
          dest.push_back(c);
        }
    }
  }
}

// {"time":"2024-05-01T10:00:00.123Z","level":"info","module":"sip","msg":"..."}: UTC, one object per line.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto sinceEpoch = msg.time.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(sinceEpoch);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(sinceEpoch - seconds).count();
    const std::time_t t = seconds.count();
    std::tm utc{};
    gmtime_r(&t, &utc);
    char time[32];
    const size_t n = std::strftime(time, sizeof(time), "%Y-%m-%dT%H:%M:%S", &utc);
    appendText(dest, "{\"time\":\"");
    appendText(dest, std::string_view(time, n));
    const char fraction[] = {'.', static_cast<char>('0' + millis / 100),
                             static_cast<char>('0' + millis / 10 % 10), static_cast<char>('0' + millis % 10),
                             'Z'};
    dest.append(fraction, fraction + sizeof(fraction));
    appendText(dest, "\",\"level\":\"");
    appendText(dest, kLevelNames[static_cast<size_t>(msg.level)]);
    appendText(dest, "\",\"module\":\"");
    appendJsonEscaped(dest, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
    appendText(dest, "\",\"msg\":\"");
    appendJsonEscaped(dest, std::string_view(msg.payload.data(), msg.payload.size()));
    appendText(dest, "\"}\n");
  }

  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

std::unique_ptr<spdlog::formatter> makeFormatter(LogFormat format) {
  if (format == LogFormat::kJson) return std::make_unique<JsonFormatter>();
  return std::make_unique<spdlog::pattern_formatter>(kTextPattern);
}

// Every logger writes to one distributing sink whose children can be swapped while other threads log (the
// dist_sink takes its own lock), so a later setLogSink() never races a logger's sink vector.
struct Registry {
  std::mutex mutex;
  LogFormat format = LogFormat::kText;
  std::shared_ptr<spdlog::sinks::dist_sink_mt> root = std::make_shared<spdlog::sinks::dist_sink_mt>();
  std::array<std::shared_ptr<spdlog::logger>, kLogModules.size()> loggers;

  Registry() {
    root->add_sink(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    root->set_formatter(makeFormatter(format));
    for (LogModule module : kLogModules) {
      auto& slot = loggers[static_cast<size_t>(module)];
      slot = std::make_shared<spdlog::logger>(std::string(logModuleName(module)), root);
      slot->set_level(spdlog::level::info);
      // Warnings and worse reach the disk even if the process dies right after.
      slot->flush_on(spdlog::level::warn);
    }
  }
};

Registry& registry() {
  static Registry instance;
  return instance;
}

template <typename Enum, size_t N>
std::optional<Enum> parseName(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view logModuleName(LogModule module) {
  return kModuleNames[static_cast<size_t>(module)];
}
std::optional<LogModule> parseLogModule(std::string_view name) {
  return parseName<LogModule>(kModuleNames, name);
}
std::string_view logLevelName(LogLevel level) {
  return kLevelNames[static_cast<size_t>(level)];
}
std::optional<LogLevel> parseLogLevel(std::string_view name) {
  return parseName<LogLevel>(kLevelNames, name);
}
std::string_view logFormatName(LogFormat format) {
  return kFormatNames[static_cast<size_t>(format)];
}
std::optional<LogFormat> parseLogFormat(std::string_view name) {
  return parseName<LogFormat>(kFormatNames, name);
}

spdlog::logger& logger(LogModule module) {
  return *registry().loggers[static_cast<size_t>(module)];
}

void setLogLevel(LogModule module, LogLevel level) {
  logger(module).set_level(toSpdlog(level));
}

LogLevel logLevel(LogModule module) {
  return static_cast<LogLevel>(logger(module).level());
}

void setLogFormat(LogFormat format) {
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  r.format = format;
  r.root->set_formatter(makeFormatter(format));
}

LogFormat logFormat() {
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  return r.format;
}

void setLogSink(std::shared_ptr<spdlog::sinks::sink> sink) {
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  if (!sink) sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  r.root->set_sinks({std::move(sink)});
  // dist_sink hands a copy of its formatter to each child only when told; a new child starts with spdlog's
  // own.
  r.root->set_formatter(makeFormatter(r.format));
}

}  // namespace callgate::core
