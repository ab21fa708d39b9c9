// The gateway's configuration: what `callgate --config FILE` reads, after validation.
//
// A default-constructed Config is the documented default configuration. Every key, its type, rule and doc
// string live once, in the schema table of config_schema.cpp; that table drives validation, docs/CONFIG.md
// (`callgate --print-config-doc`) and config/callgate.toml (`callgate --print-default-config`).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "app/version.hpp"
#include "core/logging.hpp"
#include "core/result.hpp"

namespace callgate::app {

enum class SipTransport : uint8_t { kUdp, kTcp, kTls };
inline constexpr std::array kSipTransports{SipTransport::kUdp, SipTransport::kTcp, SipTransport::kTls};

// Codecs the SIP leg may offer, in the configured order of preference.
enum class Codec : uint8_t { kPcmu, kPcma, kG722, kOpus };
inline constexpr std::array kCodecs{Codec::kPcmu, Codec::kPcma, Codec::kG722, Codec::kOpus};

struct LogConfig {
  core::LogLevel level = core::LogLevel::kInfo;
  core::LogFormat format = core::LogFormat::kText;
  // Levels for single modules; a module not listed here logs at `level`.
  std::map<core::LogModule, core::LogLevel> modules;

  bool operator==(const LogConfig&) const = default;
};

struct SipConfig {
  std::string listenAddress = "127.0.0.1";
  uint16_t port = 5060;
  std::vector<SipTransport> transports{SipTransport::kUdp, SipTransport::kTcp};
  // RFC 3261 §17.1.1.1 timer values (T1 RTT estimate, T2 maximum retransmit interval, T4 network lifetime).
  std::chrono::milliseconds t1{500};
  std::chrono::milliseconds t2{4000};
  std::chrono::milliseconds t4{5000};
  std::string userAgent = "callgate/" + std::string(kVersion);
  std::string publicAddress;  // empty: listenAddress
  std::chrono::seconds registerExpires{600};
  std::chrono::seconds noAnswerTimeout{60};
  uint32_t declineStatus = 486;

  bool operator==(const SipConfig&) const = default;
};

struct WsConfig {
  std::string listenAddress = "127.0.0.1";
  uint16_t port = 8080;
  uint16_t wssPort = 8443;
  std::string tlsCertificate;  // PEM file path; empty with tlsPrivateKey empty = no wss listener
  std::string tlsPrivateKey;
  std::chrono::seconds pingInterval{5};
  uint32_t maxMissedPongs = 3;
  uint32_t maxFrameBytes = 65536;
  std::chrono::seconds keepAliveGrace{60};
  uint32_t maxSessions = 1000;
  uint32_t maxMessagesPerSecond = 20;

  bool operator==(const WsConfig&) const = default;
};

struct MediaConfig {
  std::string publicAddress;  // empty: the same as bindAddress
  std::string bindAddress = "127.0.0.1";
  uint16_t portMin = 20000;
  uint16_t portMax = 29999;
  std::vector<Codec> codecs{Codec::kPcmu, Codec::kPcma};
  std::string echoName = "echo";
  uint16_t sharedPort = 0;  // 0: a port per WebRTC transport from port_min..port_max
  uint32_t threads = 0;     // media threads; 0: one per CPU core
  std::chrono::seconds iceConnectTimeout{20};
  std::chrono::seconds iceConsentTimeout{30};
  std::chrono::seconds dtlsHandshakeTimeout{15};
  std::chrono::seconds rtpTimeout{30};

  bool operator==(const MediaConfig&) const = default;
};

struct HttpConfig {
  std::string listenAddress;  // empty: ws.listenAddress
  uint16_t port = 8081;
  std::string webRoot;  // directory of the web phone's files; empty: no static files

  bool operator==(const HttpConfig&) const = default;
};

struct Config {
  LogConfig log;
  SipConfig sip;
  WsConfig ws;
  MediaConfig media;
  HttpConfig http;

  bool operator==(const Config&) const = default;
};

std::string_view sipTransportName(SipTransport transport);
std::string_view codecName(Codec codec);

// Parses and validates TOML text. On failure the error message holds one line per problem, each starting
// with "config error: " and naming the key and the rule, e.g.
//   config error: sip.port = 70000: must be an integer from 1 to 65535 (callgate.toml line 4)
// `sourceName` names the text in messages (a file path, or "<string>").
core::Result<Config> parseConfig(std::string_view tomlText, std::string_view sourceName = "<string>");

// Reads and parses a file; a file that cannot be read is an error naming the path and the reason.
core::Result<Config> loadConfigFile(const std::string& path);

// Checks the rules that tie keys together (port ranges, TLS pairs, distinct ports); parseConfig() runs them.
// Also for a Config built in code. Returns every violated rule, one "config error: " line each.
core::Result<void> checkCrossFieldRules(const Config& config);

// The effective configuration as TOML, every key shown (for `callgate --check-config`).
std::string renderConfig(const Config& config);

}  // namespace callgate::app
