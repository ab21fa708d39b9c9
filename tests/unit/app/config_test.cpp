// Validation of the configuration: every key's rule, unknown keys, syntax errors, cross-field rules.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "app/config_schema.hpp"

namespace callgate::app {
namespace {

using core::LogLevel;
using core::LogModule;

// Splits a key "sip.port" into a TOML document setting it to `value`.
std::string documentSetting(const std::string& key, const std::string& value) {
  const size_t dot = key.find('.');
  return "[" + key.substr(0, dot) + "]\n" + key.substr(dot + 1) + " = " + value + "\n";
}

std::string errorOf(const std::string& toml) {
  auto result = parseConfig(toml, "test.toml");
  if (result.ok()) return "<accepted>";
  return result.error().message;
}

// A readable file for the TLS keys, removed at the end of the test.
class TempFile {
 public:
  TempFile()
      : path_(std::filesystem::temp_directory_path() /
              ("callgate-config-test-" + std::to_string(::getpid()))) {
    std::ofstream(path_) << "-----BEGIN CERTIFICATE-----\n";
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(ConfigParse, EmptyDocumentGivesTheDefaults) {
  auto config = parseConfig("");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(*config, Config{});
}

TEST(ConfigParse, DefaultsAreTheDocumentedOnes) {
  const Config c;
  EXPECT_EQ(c.log.level, LogLevel::kInfo);
  EXPECT_EQ(c.log.format, core::LogFormat::kText);
  EXPECT_TRUE(c.log.modules.empty());
  EXPECT_EQ(c.sip.listenAddress, "127.0.0.1");
  EXPECT_EQ(c.sip.port, 5060);
  EXPECT_EQ(c.sip.transports, (std::vector{SipTransport::kUdp, SipTransport::kTcp}));
  EXPECT_EQ(c.sip.t1.count(), 500);
  EXPECT_EQ(c.sip.t2.count(), 4000);
  EXPECT_EQ(c.sip.t4.count(), 5000);
  EXPECT_EQ(c.sip.userAgent, "callgate/" + std::string(kVersion));
  EXPECT_EQ(c.ws.listenAddress, "127.0.0.1");
  EXPECT_EQ(c.ws.port, 8080);
  EXPECT_EQ(c.ws.wssPort, 8443);
  EXPECT_EQ(c.ws.tlsCertificate, "");
  EXPECT_EQ(c.ws.tlsPrivateKey, "");
  EXPECT_EQ(c.ws.pingInterval.count(), 5);
  EXPECT_EQ(c.ws.maxMissedPongs, 3u);
  EXPECT_EQ(c.ws.maxFrameBytes, 65536u);
  EXPECT_EQ(c.ws.keepAliveGrace.count(), 60);
  EXPECT_EQ(c.ws.maxSessions, 1000u);
  EXPECT_EQ(c.media.publicAddress, "");
  EXPECT_EQ(c.media.bindAddress, "127.0.0.1");
  EXPECT_EQ(c.media.portMin, 20000);
  EXPECT_EQ(c.media.portMax, 29999);
  EXPECT_EQ(c.media.codecs, (std::vector{Codec::kPcmu, Codec::kPcma}));
  EXPECT_EQ(c.media.echoName, "echo");
  EXPECT_EQ(c.http.port, 8081);
  EXPECT_EQ(c.http.listenAddress, "");
  EXPECT_EQ(c.http.webRoot, "");
  EXPECT_TRUE(checkCrossFieldRules(c).ok());
}

TEST(ConfigParse, RenderedConfigParsesBackToTheSameConfig) {
  Config changed;
  changed.log.modules[LogModule::kSip] = LogLevel::kDebug;
  changed.sip.userAgent = "a \"quoted\" agent";
  changed.media.codecs = {Codec::kOpus, Codec::kG722};
  changed.media.bindAddress = "::";
  changed.media.publicAddress = "2001:db8::1";
  auto parsed = parseConfig(renderConfig(changed));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, changed);
}

// A valid value other than the default for every key, and where it must land in Config.
struct GoodValue {
  std::string toml;
  std::function<bool(const Config&)> landed;
};

std::map<std::string, GoodValue> goodValues(const std::string& readableFile) {
  const std::string file = "\"" + readableFile + "\"";
  return {
      {"log.level", {"\"debug\"", [](const Config& c) { return c.log.level == LogLevel::kDebug; }}},
      {"log.format", {"\"json\"", [](const Config& c) { return c.log.format == core::LogFormat::kJson; }}},
      {"log.modules",
       {"{ sip = \"trace\", net = \"off\" }",
        [](const Config& c) {
          return c.log.modules == std::map<LogModule, LogLevel>{{LogModule::kSip, LogLevel::kTrace},
                                                                {LogModule::kNet, LogLevel::kOff}};
        }}},
      {"sip.listen_address", {"\"::1\"", [](const Config& c) { return c.sip.listenAddress == "::1"; }}},
      {"sip.port", {"5070", [](const Config& c) { return c.sip.port == 5070; }}},
      {"sip.transports",
       {"[\"tls\", \"udp\"]",
        [](const Config& c) {
          return c.sip.transports == std::vector{SipTransport::kTls, SipTransport::kUdp};
        }}},
      {"sip.t1_ms", {"250", [](const Config& c) { return c.sip.t1.count() == 250; }}},
      {"sip.t2_ms", {"8000", [](const Config& c) { return c.sip.t2.count() == 8000; }}},
      {"sip.t4_ms", {"2500", [](const Config& c) { return c.sip.t4.count() == 2500; }}},
      {"sip.public_address",
       {"\"192.0.2.7\"", [](const Config& c) { return c.sip.publicAddress == "192.0.2.7"; }}},
      {"sip.register_expires_s",
       {"120", [](const Config& c) { return c.sip.registerExpires.count() == 120; }}},
      {"sip.no_answer_timeout_s",
       {"0", [](const Config& c) { return c.sip.noAnswerTimeout == std::chrono::seconds(0); }}},
      {"sip.decline_status", {"603", [](const Config& c) { return c.sip.declineStatus == 603; }}},
      {"sip.user_agent",
       {"\"gw {version} (lab)\"",
        [](const Config& c) { return c.sip.userAgent == "gw " + std::string(kVersion) + " (lab)"; }}},
      {"ws.listen_address", {"\"0.0.0.0\"", [](const Config& c) { return c.ws.listenAddress == "0.0.0.0"; }}},
      {"ws.port", {"9080", [](const Config& c) { return c.ws.port == 9080; }}},
      {"ws.wss_port", {"9443", [](const Config& c) { return c.ws.wssPort == 9443; }}},
      // A TLS key alone breaks a cross-field rule; the test sets its partner to the same value.
      {"ws.tls_certificate",
       {file, [readableFile](const Config& c) { return c.ws.tlsCertificate == readableFile; }}},
      {"ws.tls_private_key",
       {file, [readableFile](const Config& c) { return c.ws.tlsPrivateKey == readableFile; }}},
      {"ws.ping_interval_s", {"30", [](const Config& c) { return c.ws.pingInterval.count() == 30; }}},
      {"ws.max_missed_pongs", {"7", [](const Config& c) { return c.ws.maxMissedPongs == 7; }}},
      {"ws.max_frame_bytes", {"1048576", [](const Config& c) { return c.ws.maxFrameBytes == 1048576; }}},
      {"ws.keep_alive_grace_s", {"0", [](const Config& c) { return c.ws.keepAliveGrace.count() == 0; }}},
      {"ws.max_sessions", {"20", [](const Config& c) { return c.ws.maxSessions == 20; }}},
      {"ws.max_messages_per_second", {"5", [](const Config& c) { return c.ws.maxMessagesPerSecond == 5; }}},
      {"media.public_address",
       {"\"203.0.113.7\"", [](const Config& c) { return c.media.publicAddress == "203.0.113.7"; }}},
      {"media.bind_address",
       {"\"10.0.0.2\"", [](const Config& c) { return c.media.bindAddress == "10.0.0.2"; }}},
      {"media.port_min", {"10000", [](const Config& c) { return c.media.portMin == 10000; }}},
      {"media.port_max", {"40001", [](const Config& c) { return c.media.portMax == 40001; }}},
      {"media.codecs",
       {"[\"opus\", \"PCMA\", \"G722\"]",
        [](const Config& c) {
          return c.media.codecs == std::vector{Codec::kOpus, Codec::kPcma, Codec::kG722};
        }}},
      {"media.echo_name",
       {"\"echo-test_1.a\"", [](const Config& c) { return c.media.echoName == "echo-test_1.a"; }}},
      {"media.shared_port", {"3478", [](const Config& c) { return c.media.sharedPort == 3478; }}},
      {"media.threads", {"4", [](const Config& c) { return c.media.threads == 4; }}},
      {"media.ice_connect_timeout_s",
       {"7", [](const Config& c) { return c.media.iceConnectTimeout == std::chrono::seconds(7); }}},
      {"media.ice_consent_timeout_s",
       {"12", [](const Config& c) { return c.media.iceConsentTimeout == std::chrono::seconds(12); }}},
      {"media.dtls_handshake_timeout_s",
       {"9", [](const Config& c) { return c.media.dtlsHandshakeTimeout == std::chrono::seconds(9); }}},
      {"media.rtp_timeout_s",
       {"45", [](const Config& c) { return c.media.rtpTimeout == std::chrono::seconds(45); }}},
      {"http.port", {"9000", [](const Config& c) { return c.http.port == 9000; }}},
      {"http.listen_address", {"\"::\"", [](const Config& c) { return c.http.listenAddress == "::"; }}},
      {"http.web_root",
       {tomlString(std::filesystem::temp_directory_path().string()),
        [](const Config& c) { return c.http.webRoot == std::filesystem::temp_directory_path().string(); }}},
  };
}

// Values each key's rule must reject: out of range or not allowed, and of the wrong type.
std::map<std::string, std::vector<std::string>> badValues() {
  return {
      {"log.level", {"\"loud\"", "\"INFO\"", "3"}},
      {"log.format", {"\"xml\"", "true"}},
      {"log.modules", {"{ sip = \"loud\" }", "{ sip = 1 }", "\"debug\""}},
      {"sip.listen_address", {"\"localhost\"", "\"1.2.3\"", "\"[::1]\"", "\"\"", "127"}},
      {"sip.port", {"70000", "0", "-1", "\"5060\"", "5060.0"}},
      {"sip.transports", {"[]", "[\"sctp\"]", "[\"udp\", \"udp\"]", "\"udp\"", "[1]"}},
      {"sip.t1_ms", {"49", "10001", "\"500\""}},
      {"sip.t2_ms", {"99", "64001", "4000.5"}},
      {"sip.t4_ms", {"99", "64001", "[5000]"}},
      {"sip.public_address", {"\"gateway.example.com\"", "\"1.2.3\"", "7"}},
      {"sip.register_expires_s", {"59", "86401", "\"600\""}},
      {"sip.no_answer_timeout_s", {"-1", "3601", "\"60\""}},
      {"sip.decline_status", {"399", "700", "\"486\""}},
      {"sip.user_agent", {"\"\"", "\"bad\\r\\nVia: x\"", "\"" + std::string(129, 'a') + "\"", "1"}},
      {"ws.listen_address", {"\"example.com\"", "\"256.0.0.1\"", "false"}},
      {"ws.port", {"65536", "0", "\"8080\""}},
      {"ws.wss_port", {"65536", "0", "8443.0"}},
      {"ws.tls_certificate", {"\"/nonexistent/cert.pem\"", "\"/\"", "1"}},
      {"ws.tls_private_key", {"\"/nonexistent/key.pem\"", "\"/tmp\"", "[]"}},
      {"ws.ping_interval_s", {"0", "3601", "\"5\""}},
      {"ws.max_missed_pongs", {"0", "101", "3.0"}},
      {"ws.max_frame_bytes", {"1023", "16777217", "\"64k\""}},
      {"ws.keep_alive_grace_s", {"-1", "86401", "\"60\""}},
      {"ws.max_sessions", {"0", "1000001", "true"}},
      {"ws.max_messages_per_second", {"0", "100001", "\"20\""}},
      {"media.public_address", {"\"gateway.example.com\"", "\"1.2.3.4.5\"", "0"}},
      {"media.bind_address", {"\"\"", "\"::g\"", "1"}},
      {"media.port_min", {"20001", "1022", "65536", "\"20000\""}},
      {"media.port_max", {"1024", "65536", "\"29999\""}},
      {"media.codecs", {"[]", "[\"pcmu\"]", "[\"PCMU\", \"PCMU\"]", "[\"AMR\"]", "\"PCMU\""}},
      {"media.echo_name", {"\"\"", "\"echo me\"", "\"" + std::string(65, 'e') + "\"", "\"sip:echo\"", "7"}},
      {"media.shared_port", {"-1", "65536", "\"3478\""}},
      {"media.threads", {"-1", "257", "\"2\""}},
      {"media.ice_connect_timeout_s", {"0", "301", "\"20\""}},
      {"media.ice_consent_timeout_s", {"4", "301", "\"30\""}},
      {"media.dtls_handshake_timeout_s", {"0", "121", "\"15\""}},
      {"media.rtp_timeout_s", {"-1", "3601", "\"30\""}},
      {"http.port", {"65536", "0", "\"8081\""}},
      {"http.listen_address", {"\"localhost\"", "\"1.2.3\"", "8081"}},
      {"http.web_root", {"\"/nonexistent/web\"", "\"/etc/passwd\"", "1", "[\"/tmp\"]"}},
  };
}

TEST(ConfigKeys, EveryKeyHasTestValues) {
  const auto good = goodValues("/x");
  const auto bad = badValues();
  std::set<std::string> names;
  for (const ConfigKey& key : configSchema()) {
    names.insert(key.name);
    EXPECT_TRUE(good.count(key.name)) << "no valid test value for " << key.name;
    EXPECT_TRUE(bad.count(key.name)) << "no invalid test values for " << key.name;
  }
  for (const auto& [name, unused] : bad) EXPECT_TRUE(names.count(name)) << name << " is not in the schema";
  EXPECT_EQ(names.size(), configSchema().size()) << "a key name appears twice in the schema";
}

TEST(ConfigKeys, EveryKeyAcceptsAValidValueAndStoresItInItsField) {
  const TempFile file;
  for (const auto& [name, value] : goodValues(file.path())) {
    std::string toml = documentSetting(name, value.toml);
    if (name == "ws.tls_certificate") toml += "tls_private_key = \"" + file.path() + "\"\n";
    if (name == "ws.tls_private_key") toml += "tls_certificate = \"" + file.path() + "\"\n";
    auto config = parseConfig(toml);
    ASSERT_TRUE(config.ok()) << name << ": " << config.error().message;
    EXPECT_TRUE(value.landed(*config)) << name << " = " << value.toml << " did not reach its Config field";
    EXPECT_NE(*config, Config{}) << name;
  }
}

TEST(ConfigKeys, EveryKeyRejectsBadValuesNamingTheKeyAndTheRule) {
  const auto bad = badValues();
  for (const ConfigKey& key : configSchema()) {
    ASSERT_TRUE(bad.count(key.name)) << key.name;
    for (const std::string& value : bad.at(key.name)) {
      const std::string error = errorOf(documentSetting(key.name, value));
      EXPECT_EQ(error.rfind("config error: " + key.name, 0), 0u)
          << key.name << " = " << value << ": " << error;
      EXPECT_NE(error.find("must be"), std::string::npos) << error;
      if (key.name != "log.modules") {
        EXPECT_NE(error.find(key.name + " = "), std::string::npos) << error;
        EXPECT_NE(error.find(": must be " + key.rule), std::string::npos) << error;
      }
      EXPECT_NE(error.find("(at test.toml:2)"), std::string::npos) << error;
    }
  }
}

TEST(ConfigKeys, MessageHasTheDocumentedShape) {
  EXPECT_EQ(errorOf("[sip]\nport = 70000\n"),
            "config error: sip.port = 70000: must be an integer from 1 to 65535 (at test.toml:2)");
  EXPECT_EQ(
      errorOf("[log]\nlevel = \"loud\"\n"),
      "config error: log.level = \"loud\": must be one of trace, debug, info, warn, error, critical, off "
      "(at test.toml:2)");
  EXPECT_EQ(errorOf("[log]\nmodules = { sip = \"loud\" }\n"),
            "config error: log.modules.sip = \"loud\": must be one of trace, debug, info, warn, error, "
            "critical, off "
            "(at test.toml:2)");
}

TEST(ConfigKeys, EveryProblemIsReportedOnItsOwnLineInFileOrder) {
  const std::string error = errorOf("[ws]\nport = 0\n[sip]\nt1_ms = 1\nport = 99999\n");
  EXPECT_EQ(error,
            "config error: ws.port = 0: must be an integer from 1 to 65535 (at test.toml:2)\n"
            "config error: sip.t1_ms = 1: must be an integer from 50 to 10000 (at test.toml:4)\n"
            "config error: sip.port = 99999: must be an integer from 1 to 65535 (at test.toml:5)");
}

TEST(ConfigKeys, WebRootMustBeAnExistingDirectory) {
  const TempFile file;
  EXPECT_EQ(errorOf("[http]\nweb_root = \"/nonexistent/web\"\n"),
            "config error: http.web_root = \"/nonexistent/web\": must be empty or the path of an existing "
            "directory (at test.toml:2)");
  // A file is not a web root.
  EXPECT_NE(errorOf("[http]\nweb_root = \"" + file.path() + "\"\n").find("config error: http.web_root = "),
            std::string::npos);
  const std::string dir = std::filesystem::temp_directory_path().string();
  auto config = parseConfig("[http]\nweb_root = " + tomlString(dir) + "\nlisten_address = \"0.0.0.0\"\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->http.webRoot, dir);
  EXPECT_EQ(config->http.listenAddress, "0.0.0.0");
  EXPECT_EQ(errorOf("[http]\nweb_root = \"\"\n"), "<accepted>");
}

TEST(ConfigKeys, UserAgentReplacesTheVersionPlaceholder) {
  auto config = parseConfig("[sip]\nuser_agent = \"callgate/{version} {version}\"\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->sip.userAgent, "callgate/" + std::string(kVersion) + " " + std::string(kVersion));
}

TEST(ConfigUnknownKeys, UnknownKeyIsNamedWithASuggestion) {
  EXPECT_EQ(errorOf("[sip]\nprot = 5060\n"),
            "config error: unknown key sip.prot; did you mean sip.port? (at test.toml:2)");
  EXPECT_EQ(errorOf("[ws]\nlisten_adress = \"::1\"\n"),
            "config error: unknown key ws.listen_adress; did you mean ws.listen_address? (at test.toml:2)");
  // The right key in the wrong section.
  EXPECT_EQ(errorOf("\n[sip]\nwss_port = 8443\n"),
            "config error: unknown key sip.wss_port; did you mean ws.wss_port? (at test.toml:3)");
}

TEST(ConfigUnknownKeys, FarOffKeyHasNoSuggestion) {
  EXPECT_EQ(errorOf("[media]\nvideo = true\n"), "config error: unknown key media.video (at test.toml:2)");
}

TEST(ConfigUnknownKeys, UnknownSectionIsNamed) {
  EXPECT_EQ(
      errorOf("[wss]\nport = 1\n"),
      "config error: unknown key wss; did you mean ws? (sections are [log], [sip], [ws], [media], [http]) "
      "(at test.toml:1)");
  EXPECT_NE(errorOf("port = 5060\n").find("unknown key port;"), std::string::npos);
}

TEST(ConfigUnknownKeys, SectionThatIsNotATableIsRejected) {
  EXPECT_EQ(errorOf("sip = 5060\n"), "config error: sip must be a table (a [sip] section) (at test.toml:1)");
}

TEST(ConfigUnknownKeys, UnknownLogModuleIsNamedWithASuggestion) {
  EXPECT_EQ(
      errorOf("[log]\nmodules = { sdpp = \"debug\" }\n"),
      "config error: unknown key log.modules.sdpp; did you mean log.modules.sdp? (modules are app, api, "
      "gateway, sip, sdp, webrtc, rtp, media, net) (at test.toml:2)");
}

TEST(ConfigSyntax, SyntaxErrorGivesLineAndColumn) {
  const std::string error = errorOf("[sip]\nport = 5060\nuser_agent = \"unterminated\n");
  EXPECT_EQ(error.rfind("config error: test.toml:3:", 0), 0u) << error;
  EXPECT_NE(error.find("TOML syntax error"), std::string::npos) << error;
}

TEST(ConfigSyntax, DuplicateKeyIsASyntaxError) {
  const std::string error = errorOf("[sip]\nport = 5060\nport = 5061\n");
  EXPECT_EQ(error.rfind("config error: test.toml:3:", 0), 0u) << error;
}

TEST(ConfigFile, MissingFileNamesThePathAndTheReason) {
  auto config = loadConfigFile("/nonexistent/callgate.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            "config error: cannot read /nonexistent/callgate.toml: No such file or directory");
}

TEST(ConfigFile, FileErrorsNameTheFile) {
  const TempFile file;
  std::ofstream(file.path()) << "[http]\nport = 0\n";
  auto config = loadConfigFile(file.path());
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("(at " + file.path() + ":2)"), std::string::npos)
      << config.error().message;
}

TEST(ConfigCrossField, PortMinMustBeBelowPortMax) {
  EXPECT_EQ(errorOf("[media]\nport_min = 30000\n"),
            "config error: media.port_min = 30000, media.port_max = 29999: media.port_min must be less than "
            "media.port_max");
  EXPECT_NE(errorOf("[media]\nport_min = 30000\nport_max = 30000\n"), "<accepted>");
  EXPECT_EQ(errorOf("[media]\nport_min = 30000\nport_max = 30001\n"), "<accepted>");
}

TEST(ConfigCrossField, TlsCertificateAndKeyComeTogether) {
  const TempFile file;
  const std::string error = errorOf("[ws]\ntls_certificate = \"" + file.path() + "\"\n");
  EXPECT_NE(error.find("ws.tls_certificate and ws.tls_private_key must both be set or both be empty"),
            std::string::npos)
      << error;
  EXPECT_NE(errorOf("[ws]\ntls_private_key = \"" + file.path() + "\"\n").find("ws.tls_private_key = \""),
            std::string::npos);
}

TEST(ConfigCrossField, ListeningPortsMustDiffer) {
  EXPECT_EQ(
      errorOf("[http]\nport = 8080\n"),
      "config error: ws.port = 8080, http.port = 8080: sip.port, ws.port, ws.wss_port and http.port must all "
      "differ");
  EXPECT_NE(errorOf("[ws]\nwss_port = 5060\n").find("sip.port = 5060, ws.wss_port = 5060"),
            std::string::npos);
}

TEST(ConfigCrossField, SipPortMustBeOutsideTheMediaRange) {
  EXPECT_EQ(
      errorOf("[sip]\nport = 20000\n"),
      "config error: sip.port = 20000, media.port_min = 20000, media.port_max = 29999: sip.port must lie "
      "outside media.port_min..media.port_max");
  EXPECT_EQ(errorOf("[sip]\nport = 30000\n"), "<accepted>");
}

TEST(ConfigCrossField, T2MustBeAtLeastT1) {
  EXPECT_EQ(errorOf("[sip]\nt1_ms = 5000\nt2_ms = 4000\n"),
            "config error: sip.t1_ms = 5000, sip.t2_ms = 4000: sip.t2_ms must be at least sip.t1_ms");
  EXPECT_EQ(errorOf("[sip]\nt1_ms = 4000\nt2_ms = 4000\n"), "<accepted>");
}

TEST(ConfigCrossField, WildcardBindNeedsAPublicAddress) {
  const std::string error = errorOf("[media]\nbind_address = \"0.0.0.0\"\n");
  EXPECT_NE(error.find("media.public_address must be set when media.bind_address is a wildcard"),
            std::string::npos)
      << error;
  EXPECT_NE(errorOf("[media]\nbind_address = \"::\"\n"), "<accepted>");
  EXPECT_EQ(errorOf("[media]\nbind_address = \"::\"\npublic_address = \"2001:db8::5\"\n"), "<accepted>");
}

TEST(ConfigCrossField, ReportsEveryViolatedRule) {
  const std::string error = errorOf("[media]\nport_min = 30000\n[http]\nport = 8080\n");
  EXPECT_NE(error.find("media.port_min must be less than media.port_max"), std::string::npos) << error;
  EXPECT_NE(error.find("\nconfig error: ws.port = 8080, http.port = 8080"), std::string::npos) << error;
}

TEST(ConfigCrossField, AppliesToConfigBuiltInCode) {
  Config config;
  config.http.port = config.sip.port;
  auto checked = checkCrossFieldRules(config);
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error().message.find("sip.port = 5060, http.port = 5060"), std::string::npos);
}

TEST(ConfigCrossField, EveryRuleIsReachable) {
  // Each rule rejects at least one configuration that passes every other rule, so none is dead text in the
  // docs.
  std::vector<Config> violations(7);
  violations[0].media.portMin = 30000;
  violations[1].ws.tlsCertificate = "/x";
  violations[2].http.port = 8443;
  violations[3].sip.port = 25000;
  violations[4].media.sharedPort = 20000;
  violations[5].sip.t1 = std::chrono::milliseconds(5000);
  violations[6].media.bindAddress = "0.0.0.0";
  ASSERT_EQ(crossFieldRules().size(), violations.size());
  for (size_t i = 0; i < violations.size(); ++i) {
    for (size_t r = 0; r < crossFieldRules().size(); ++r) {
      EXPECT_EQ(crossFieldRules()[r].check(violations[i]).has_value(), r == i)
          << "config " << i << ", rule " << r;
    }
  }
}

}  // namespace
}  // namespace callgate::app
