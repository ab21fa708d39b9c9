// The [log] section reaches the module loggers: levels per module, and both line formats.
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <sstream>
#include <string>

#include "app/log_setup.hpp"
#include "core/logging.hpp"

namespace callgate::app {
namespace {

using core::LogLevel;
using core::LogModule;

// Captures every module's output and restores the process defaults afterwards.
class AppLogging : public ::testing::Test {
 protected:
  void SetUp() override { core::setLogSink(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_)); }
  void TearDown() override {
    applyLogConfig(LogConfig{});
    core::setLogSink(nullptr);
  }
  std::string output() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

TEST_F(AppLogging, ModuleLevelsOverrideTheGlobalLevel) {
  LogConfig log;
  log.level = LogLevel::kWarn;
  log.modules[LogModule::kSip] = LogLevel::kDebug;
  log.modules[LogModule::kNet] = LogLevel::kOff;
  applyLogConfig(log);

  EXPECT_EQ(core::logLevel(LogModule::kSip), LogLevel::kDebug);
  EXPECT_EQ(core::logLevel(LogModule::kNet), LogLevel::kOff);
  EXPECT_EQ(core::logLevel(LogModule::kSdp), LogLevel::kWarn);
  EXPECT_EQ(core::logLevel(LogModule::kApp), LogLevel::kWarn);

  core::logger(LogModule::kSip).debug("sip debug line");
  core::logger(LogModule::kSdp).info("sdp info line");
  core::logger(LogModule::kSdp).warn("sdp warn line");
  core::logger(LogModule::kNet).critical("net critical line");
  const std::string text = output();
  EXPECT_NE(text.find("sip debug line"), std::string::npos) << text;
  EXPECT_EQ(text.find("sdp info line"), std::string::npos) << text;
  EXPECT_NE(text.find("sdp warn line"), std::string::npos) << text;
  EXPECT_EQ(text.find("net critical line"), std::string::npos) << text;
}

TEST_F(AppLogging, TextLinesCarryLevelAndModule) {
  applyLogConfig(LogConfig{});
  core::logger(LogModule::kGateway).info("hello {}", 42);
  const std::string text = output();
  EXPECT_NE(text.find("info"), std::string::npos) << text;
  EXPECT_NE(text.find("[gateway] hello 42\n"), std::string::npos) << text;
  // ISO 8601 date first: "2024-05-01T".
  ASSERT_GE(text.size(), 11u);
  EXPECT_EQ(text[4], '-');
  EXPECT_EQ(text[10], 'T');
}

TEST_F(AppLogging, JsonLinesAreEscapedObjects) {
  LogConfig log;
  log.format = core::LogFormat::kJson;
  applyLogConfig(log);
  EXPECT_EQ(core::logFormat(), core::LogFormat::kJson);
  core::logger(LogModule::kRtp).error("a \"quote\", a \\ and\na newline\x01");
  const std::string text = output();
  EXPECT_EQ(text.rfind("{\"time\":\"", 0), 0u) << text;
  EXPECT_NE(text.find("Z\",\"level\":\"error\",\"module\":\"rtp\",\"msg\":\"a \\\"quote\\\", a \\\\ and\\na "
                      "newline\\u0001\"}\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "one line per message";
}

TEST(AppLoggingNames, NamesRoundTrip) {
  for (LogModule module : core::kLogModules)
    EXPECT_EQ(core::parseLogModule(core::logModuleName(module)), module);
  for (LogLevel level : core::kLogLevels) EXPECT_EQ(core::parseLogLevel(core::logLevelName(level)), level);
  for (core::LogFormat format : core::kLogFormats)
    EXPECT_EQ(core::parseLogFormat(core::logFormatName(format)), format);
  EXPECT_EQ(core::parseLogModule("SIP"), std::nullopt);
  EXPECT_EQ(core::parseLogLevel("warning"), std::nullopt);
  EXPECT_EQ(core::logger(LogModule::kWebrtc).name(), "webrtc");
}

}  // namespace
}  // namespace callgate::app
