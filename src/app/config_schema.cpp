#include "app/config_schema.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>
#include <utility>

#include "app/name_suggestion.hpp"
#include "core/text.hpp"

namespace callgate::app {
namespace {

// Longer values are cut in error messages: the rule matters, not a pasted certificate.
constexpr size_t kMaxShownValue = 80;
constexpr size_t kMaxUserAgent = 128;
constexpr size_t kMaxEchoName = 64;
// Written in the default user_agent and replaced at load, so a config file does not pin an old version.
constexpr std::string_view kVersionPlaceholder = "{version}";

// The value as the user would write it (toml++ itself prints strings as 'literal' strings).
std::string describe(const toml::node& value) {
  std::string text;
  if (const auto* string = value.as_string()) {
    text = tomlString(string->get());
  } else if (const auto* array = value.as_array()) {
    text = "[";
    for (const toml::node& element : *array) text += (text.size() > 1 ? ", " : "") + describe(element);
    text += "]";
  } else {
    std::ostringstream out;
    value.visit([&out](const auto& v) { out << v; });
    text = out.str();
  }
  if (text.size() > kMaxShownValue) text = text.substr(0, kMaxShownValue) + "...";
  return text;
}

core::Error violation(const std::string& name, const toml::node& value, const std::string& rule) {
  return core::makeError(name + " = " + describe(value) + ": must be " + rule);
}

template <typename T>
struct IsDuration : std::false_type {};
template <typename Rep, typename Period>
struct IsDuration<std::chrono::duration<Rep, Period>> : std::true_type {};

template <typename Get>
ConfigKey integerKey(std::string name, std::string doc, int64_t min, int64_t max, Get get,
                     bool evenOnly = false) {
  using T = std::remove_cvref_t<decltype(get(std::declval<Config&>()))>;
  std::string rule = std::string(evenOnly ? "an even integer" : "an integer") + " from " +
                     std::to_string(min) + " to " + std::to_string(max);
  ConfigKey key{name, "integer", rule, std::move(doc), {}, {}, {}};
  key.assign = [name, rule, min, max, evenOnly, get](const toml::node& value,
                                                     Config& config) -> core::Result<void> {
    const auto* integer = value.as_integer();
    if (integer == nullptr) return violation(name, value, rule);
    const int64_t v = integer->get();
    if (v < min || v > max || (evenOnly && v % 2 != 0)) return violation(name, value, rule);
    if constexpr (IsDuration<T>::value) {
      get(config) = T{v};
    } else {
      get(config) = static_cast<T>(v);
    }
    return {};
  };
  key.render = [get](const Config& config) {
    if constexpr (IsDuration<T>::value) {
      return std::to_string(get(config).count());
    } else {
      return std::to_string(get(config));
    }
  };
  return key;
}

template <typename Get>
ConfigKey stringKey(std::string name, std::string doc, std::string rule,
                    std::function<bool(std::string_view)> valid, Get get) {
  ConfigKey key{name, "string", rule, std::move(doc), {}, {}, {}};
  key.assign = [name, rule, valid = std::move(valid), get](const toml::node& value,
                                                           Config& config) -> core::Result<void> {
    const auto* text = value.as_string();
    if (text == nullptr || !valid(text->get())) return violation(name, value, rule);
    get(config) = text->get();
    return {};
  };
  key.render = [get](const Config& config) { return tomlString(get(config)); };
  return key;
}

bool isIpLiteral(std::string_view text) {
  const std::string s(text);
  in6_addr address{};
  return inet_pton(AF_INET, s.c_str(), &address) == 1 || inet_pton(AF_INET6, s.c_str(), &address) == 1;
}

template <typename Get>
ConfigKey addressKey(std::string name, std::string doc, bool emptyAllowed, Get get) {
  std::string rule = "an IPv4 or IPv6 address literal such as 127.0.0.1 or ::1";
  if (emptyAllowed) rule = "empty or " + rule;
  auto valid = [emptyAllowed](std::string_view text) {
    return (emptyAllowed && text.empty()) || isIpLiteral(text);
  };
  ConfigKey key = stringKey(std::move(name), std::move(doc), std::move(rule), valid, get);
  key.type = "string (IP address)";
  return key;
}

// Checked at load so a missing certificate stops start-up here, not at the first wss connection.
template <typename Get>
ConfigKey fileKey(std::string name, std::string doc, Get get) {
  auto valid = [](std::string_view text) {
    if (text.empty()) return true;
    const std::filesystem::path path(text);
    std::error_code ignored;
    return std::filesystem::is_regular_file(path, ignored) && std::ifstream(path).good();
  };
  ConfigKey key =
      stringKey(std::move(name), std::move(doc), "empty or the path of a readable file", valid, get);
  key.type = "string (file path)";
  return key;
}

// Checked at load so a mistyped web root stops start-up here, naming the key.
template <typename Get>
ConfigKey directoryKey(std::string name, std::string doc, Get get) {
  auto valid = [](std::string_view text) {
    if (text.empty()) return true;
    std::error_code ignored;
    return std::filesystem::is_directory(std::filesystem::path(text), ignored);
  };
  ConfigKey key =
      stringKey(std::move(name), std::move(doc), "empty or the path of an existing directory", valid, get);
  key.type = "string (directory path)";
  return key;
}

template <typename E, size_t N>
std::string namesList(const std::array<E, N>& all, std::string_view (*nameOf)(E)) {
  std::string list;
  for (E e : all) {
    if (!list.empty()) list += ", ";
    list += nameOf(e);
  }
  return list;
}

template <typename E, size_t N>
std::optional<E> choiceFromName(const std::array<E, N>& all, std::string_view (*nameOf)(E),
                                std::string_view name) {
  for (E e : all) {
    if (nameOf(e) == name) return e;
  }
  return std::nullopt;
}

template <typename E, size_t N, typename Get>
ConfigKey choiceKey(std::string name, std::string doc, const std::array<E, N>& all,
                    std::string_view (*nameOf)(E), Get get) {
  std::string rule = "one of " + namesList(all, nameOf);
  ConfigKey key{name, "string", rule, std::move(doc), {}, {}, {}};
  key.assign = [name, rule, all, nameOf, get](const toml::node& value, Config& config) -> core::Result<void> {
    const auto* text = value.as_string();
    const auto choice = text == nullptr ? std::nullopt : choiceFromName(all, nameOf, text->get());
    if (!choice) return violation(name, value, rule);
    get(config) = *choice;
    return {};
  };
  key.render = [nameOf, get](const Config& config) { return tomlString(nameOf(get(config))); };
  return key;
}

// An ordered list of distinct choices: order carries preference (codecs) and a repeat is always a typo.
template <typename E, size_t N, typename Get>
ConfigKey choiceListKey(std::string name, std::string doc, const std::array<E, N>& all,
                        std::string_view (*nameOf)(E), Get get) {
  std::string rule = "a non-empty array of distinct strings from " + namesList(all, nameOf);
  ConfigKey key{name, "array of strings", rule, std::move(doc), {}, {}, {}};
  key.assign = [name, rule, all, nameOf, get](const toml::node& value, Config& config) -> core::Result<void> {
    const auto* array = value.as_array();
    if (array == nullptr || array->empty()) return violation(name, value, rule);
    std::vector<E> chosen;
    for (const toml::node& element : *array) {
      const auto* text = element.as_string();
      const auto choice = text == nullptr ? std::nullopt : choiceFromName(all, nameOf, text->get());
      if (!choice || std::find(chosen.begin(), chosen.end(), *choice) != chosen.end()) {
        return violation(name, value, rule);
      }
      chosen.push_back(*choice);
    }
    get(config) = std::move(chosen);
    return {};
  };
  key.render = [nameOf, get](const Config& config) {
    std::string text = "[";
    for (E e : get(config)) {
      if (text.size() > 1) text += ", ";
      text += tomlString(nameOf(e));
    }
    return text + "]";
  };
  return key;
}

ConfigKey logModulesKey() {
  const std::string name = "log.modules";
  const std::string levels = namesList(core::kLogLevels, core::logLevelName);
  const std::string rule = "a table of module = level, modules from " +
                           namesList(core::kLogModules, core::logModuleName) + ", levels as for log.level";
  ConfigKey key{
      name, "table", rule, "Levels for single modules, overriding log.level, e.g. { sip = \"debug\" }.",
      {},   {},      {}};
  key.assign = [name, rule, levels](const toml::node& value, Config& config) -> core::Result<void> {
    const auto* table = value.as_table();
    if (table == nullptr) return violation(name, value, rule);
    std::map<core::LogModule, core::LogLevel> modules;
    for (auto&& [moduleKey, levelNode] : *table) {
      const std::string moduleName(moduleKey.str());
      const auto module = core::parseLogModule(moduleName);
      if (!module) {
        std::vector<std::string> known;
        for (core::LogModule m : core::kLogModules)
          known.push_back(name + "." + std::string(core::logModuleName(m)));
        const std::string fullName = name + "." + moduleName;
        std::string message = "unknown key " + fullName;
        if (const auto suggestion = closestName(fullName, known)) {
          message += "; did you mean " + *suggestion + "?";
        }
        return core::makeError(message + " (modules are " +
                               namesList(core::kLogModules, core::logModuleName) + ")");
      }
      const auto* text = levelNode.as_string();
      const auto level = text == nullptr ? std::nullopt : core::parseLogLevel(text->get());
      if (!level) return violation(name + "." + moduleName, levelNode, "one of " + levels);
      modules[*module] = *level;
    }
    config.log.modules = std::move(modules);
    return {};
  };
  key.render = [](const Config& config) {
    if (config.log.modules.empty()) return std::string("{}");
    std::string text = "{ ";
    for (const auto& [module, level] : config.log.modules) {
      if (text.size() > 2) text += ", ";
      text += std::string(core::logModuleName(module)) + " = " + tomlString(core::logLevelName(level));
    }
    return text + " }";
  };
  return key;
}

bool isPrintableAscii(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

std::string expandVersion(std::string text) {
  for (size_t at = text.find(kVersionPlaceholder); at != std::string::npos;
       at = text.find(kVersionPlaceholder, at + kVersion.size())) {
    text.replace(at, kVersionPlaceholder.size(), kVersion);
  }
  return text;
}

ConfigKey userAgentKey() {
  const std::string name = "sip.user_agent";
  // Printable ASCII only: the value goes verbatim into a SIP header, where CR or LF would inject headers.
  const std::string rule = "1 to " + std::to_string(kMaxUserAgent) +
                           " printable ASCII characters after {version} is replaced by the running version";
  ConfigKey key{name,
                "string",
                rule,
                "User-Agent and Server header value of SIP messages the gateway sends.",
                tomlString("callgate/" + std::string(kVersionPlaceholder)),
                {},
                {}};
  key.assign = [name, rule](const toml::node& value, Config& config) -> core::Result<void> {
    const auto* text = value.as_string();
    if (text == nullptr) return violation(name, value, rule);
    std::string expanded = expandVersion(text->get());
    if (expanded.empty() || expanded.size() > kMaxUserAgent || !isPrintableAscii(expanded)) {
      return violation(name, value, rule);
    }
    config.sip.userAgent = std::move(expanded);
    return {};
  };
  key.render = [](const Config& config) { return tomlString(config.sip.userAgent); };
  return key;
}

bool isEchoName(std::string_view text) {
  if (text.empty() || text.size() > kMaxEchoName) return false;
  for (char c : text) {
    if (!core::isAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

std::vector<ConfigKey> buildSchema() {
  std::vector<ConfigKey> keys{
      choiceKey(
          "log.level", "Lowest level logged by modules that have no level in log.modules.", core::kLogLevels,
          core::logLevelName, [](auto& c) -> auto& { return c.log.level; }),
      choiceKey(
          "log.format", "Line format: text for people, json (one object per line) for log collectors.",
          core::kLogFormats, core::logFormatName, [](auto& c) -> auto& { return c.log.format; }),
      logModulesKey(),

      addressKey(
          "sip.listen_address", "Address the SIP transports bind to.", false,
          [](auto& c) -> auto& { return c.sip.listenAddress; }),
      integerKey(
          "sip.port", "SIP port for every transport in sip.transports.", 1, 65535,
          [](auto& c) -> auto& { return c.sip.port; }),
      choiceListKey(
          "sip.transports", "SIP transports to listen on.", kSipTransports, sipTransportName,
          [](auto& c) -> auto& { return c.sip.transports; }),
      integerKey(
          "sip.t1_ms", "RFC 3261 timer T1 (round-trip estimate), the base of retransmit timers.", 50, 10000,
          [](auto& c) -> auto& { return c.sip.t1; }),
      integerKey(
          "sip.t2_ms", "RFC 3261 timer T2, the longest retransmit interval of non-INVITE requests.", 100,
          64000, [](auto& c) -> auto& { return c.sip.t2; }),
      integerKey(
          "sip.t4_ms", "RFC 3261 timer T4, how long a message may stay in the network.", 100, 64000,
          [](auto& c) -> auto& { return c.sip.t4; }),
      userAgentKey(),
      addressKey(
          "sip.public_address",
          "Address put in the Via and Contact of the gateway's SIP requests; empty means sip.listen_address.",
          true, [](auto& c) -> auto& { return c.sip.publicAddress; }),
      integerKey(
          "sip.register_expires_s",
          "Registration expiry the gateway asks for on behalf of each client session.", 60, 86400,
          [](auto& c) -> auto& { return c.sip.registerExpires; }),
      integerKey(
          "sip.no_answer_timeout_s",
          "Seconds a call may ring unanswered: an outgoing call is then CANCELled, an incoming one refused "
          "480; both end FAILED \"Failed by request timeout\". 0: no limit.",
          0, 3600, [](auto& c) -> auto& { return c.sip.noAnswerTimeout; }),
      integerKey(
          "sip.decline_status",
          "SIP status for an incoming call the client hangs up before answering (486 Busy Here, 603 "
          "Decline).",
          400, 699, [](auto& c) -> auto& { return c.sip.declineStatus; }),

      addressKey(
          "ws.listen_address", "Address the WebSocket (ws and wss) listeners bind to.", false,
          [](auto& c) -> auto& { return c.ws.listenAddress; }),
      integerKey(
          "ws.port", "Port of the plain WebSocket (ws://) listener.", 1, 65535,
          [](auto& c) -> auto& { return c.ws.port; }),
      integerKey(
          "ws.wss_port", "Port of the WebSocket over TLS (wss://) listener, used when TLS is configured.", 1,
          65535, [](auto& c) -> auto& { return c.ws.wssPort; }),
      fileKey(
          "ws.tls_certificate", "PEM certificate chain for wss; empty disables wss.",
          [](auto& c) -> auto& { return c.ws.tlsCertificate; }),
      fileKey(
          "ws.tls_private_key", "PEM private key of ws.tls_certificate.",
          [](auto& c) -> auto& { return c.ws.tlsPrivateKey; }),
      integerKey(
          "ws.ping_interval_s", "Seconds between WebSocket pings to each client.", 1, 3600,
          [](auto& c) -> auto& { return c.ws.pingInterval; }),
      integerKey(
          "ws.max_missed_pongs", "Unanswered pings after which a client connection is closed.", 1, 100,
          [](auto& c) -> auto& { return c.ws.maxMissedPongs; }),
      integerKey(
          "ws.max_frame_bytes", "Largest WebSocket message accepted from a client, in bytes.", 1024, 16777216,
          [](auto& c) -> auto& { return c.ws.maxFrameBytes; }),
      integerKey(
          "ws.keep_alive_grace_s",
          "Seconds a session outlives its lost connection, waiting for the client to resume it.", 0, 86400,
          [](auto& c) -> auto& { return c.ws.keepAliveGrace; }),
      integerKey(
          "ws.max_sessions", "Most client sessions at once; further connections are refused.", 1, 1000000,
          [](auto& c) -> auto& { return c.ws.maxSessions; }),
      integerKey(
          "ws.max_messages_per_second",
          "Messages a client may send per second (bursts of twice that); more are dropped with a fail.", 1,
          100000, [](auto& c) -> auto& { return c.ws.maxMessagesPerSecond; }),

      addressKey(
          "media.public_address",
          "Address announced in ICE candidates and SDP c= lines; empty means media.bind_address.", true,
          [](auto& c) -> auto& { return c.media.publicAddress; }),
      addressKey(
          "media.bind_address", "Address the media (RTP and WebRTC) sockets bind to.", false,
          [](auto& c) -> auto& { return c.media.bindAddress; }),
      // Even: RTP takes an even port and RTCP the odd one above it (RFC 3550 §11).
      integerKey(
          "media.port_min", "First UDP port of the media port range (RTP uses even ports).", 1024, 65534,
          [](auto& c) -> auto& { return c.media.portMin; }, true),
      integerKey(
          "media.port_max", "Last UDP port of the media port range.", 1025, 65535,
          [](auto& c) -> auto& { return c.media.portMax; }),
      choiceListKey(
          "media.codecs", "Codecs offered on the SIP leg, most preferred first.", kCodecs, codecName,
          [](auto& c) -> auto& { return c.media.codecs; }),
      stringKey(
          "media.echo_name", "User part of the built-in echo destination (calling it plays your media back).",
          "1 to " + std::to_string(kMaxEchoName) + " characters from A-Z a-z 0-9 - _ .", isEchoName,
          [](auto& c) -> auto& { return c.media.echoName; }),
      integerKey(
          "media.shared_port",
          "One UDP port for every WebRTC transport (demultiplexed by ICE username, then by source address); "
          "0 gives each transport its own port from media.port_min..media.port_max.",
          0, 65535, [](auto& c) -> auto& { return c.media.sharedPort; }),
      integerKey(
          "media.threads",
          "Media threads (each runs the sockets and crypto of its calls); 0 means one per CPU core.", 0, 256,
          [](auto& c) -> auto& { return c.media.threads; }),
      integerKey(
          "media.ice_connect_timeout_s",
          "Seconds a call waits for the client's first ICE nomination before it fails (Failed by ICE error).",
          1, 300, [](auto& c) -> auto& { return c.media.iceConnectTimeout; }),
      integerKey(
          "media.ice_consent_timeout_s",
          "Seconds without an ICE consent check from the client after which its call fails (RFC 7675: 30).",
          5, 300, [](auto& c) -> auto& { return c.media.iceConsentTimeout; }),
      integerKey(
          "media.dtls_handshake_timeout_s", "Seconds the DTLS handshake may take before the call fails.", 1,
          120, [](auto& c) -> auto& { return c.media.dtlsHandshakeTimeout; }),
      integerKey(
          "media.rtp_timeout_s",
          "Seconds without RTP from either leg of an established SIP call after which it is hung up (BYE) "
          "and ends FAILED \"Failed by RTP activity\". 0: never.",
          0, 3600, [](auto& c) -> auto& { return c.media.rtpTimeout; }),

      addressKey(
          "http.listen_address", "Address the HTTP listener binds to; empty means ws.listen_address.", true,
          [](auto& c) -> auto& { return c.http.listenAddress; }),
      integerKey(
          "http.port", "Port of the HTTP listener (/metrics, /healthz and the web phone of http.web_root).",
          1, 65535, [](auto& c) -> auto& { return c.http.port; }),
      directoryKey(
          "http.web_root",
          "Directory whose files (html, js, css, svg, png, ico, json) the HTTP listener serves, index.html "
          "for /; read once at start-up; empty serves none.",
          [](auto& c) -> auto& { return c.http.webRoot; }),
  };
  const Config defaults;
  for (ConfigKey& key : keys) {
    if (key.defaultText.empty()) key.defaultText = key.render(defaults);
  }
  return keys;
}

bool isWildcard(const std::string& address) {
  return address == "0.0.0.0" || address == "::";
}

std::vector<CrossFieldRule> buildCrossFieldRules() {
  std::vector<CrossFieldRule> rules;
  rules.push_back(
      {"media.port_min must be less than media.port_max.", [](const Config& c) -> std::optional<std::string> {
         if (c.media.portMin < c.media.portMax) return std::nullopt;
         return "media.port_min = " + std::to_string(c.media.portMin) +
                ", media.port_max = " + std::to_string(c.media.portMax) +
                ": media.port_min must be less than media.port_max";
       }});
  rules.push_back({"ws.tls_certificate and ws.tls_private_key must both be set or both be empty.",
                   [](const Config& c) -> std::optional<std::string> {
                     if (c.ws.tlsCertificate.empty() == c.ws.tlsPrivateKey.empty()) return std::nullopt;
                     return "ws.tls_certificate = " + tomlString(c.ws.tlsCertificate) +
                            ", ws.tls_private_key = " + tomlString(c.ws.tlsPrivateKey) +
                            ": ws.tls_certificate and ws.tls_private_key must both be set or both be empty";
                   }});
  rules.push_back({"sip.port, ws.port, ws.wss_port and http.port must all differ.",
                   [](const Config& c) -> std::optional<std::string> {
                     const std::array<std::pair<std::string_view, uint16_t>, 4> ports{
                         {{"sip.port", c.sip.port},
                          {"ws.port", c.ws.port},
                          {"ws.wss_port", c.ws.wssPort},
                          {"http.port", c.http.port}}};
                     for (size_t i = 0; i < ports.size(); ++i) {
                       for (size_t j = i + 1; j < ports.size(); ++j) {
                         if (ports[i].second != ports[j].second) continue;
                         return std::string(ports[i].first) + " = " + std::to_string(ports[i].second) + ", " +
                                std::string(ports[j].first) + " = " + std::to_string(ports[j].second) +
                                ": sip.port, ws.port, ws.wss_port and http.port must all differ";
                       }
                     }
                     return std::nullopt;
                   }});
  rules.push_back({"sip.port must lie outside media.port_min..media.port_max (both are UDP ports).",
                   [](const Config& c) -> std::optional<std::string> {
                     if (c.sip.port < c.media.portMin || c.sip.port > c.media.portMax) return std::nullopt;
                     return "sip.port = " + std::to_string(c.sip.port) +
                            ", media.port_min = " + std::to_string(c.media.portMin) +
                            ", media.port_max = " + std::to_string(c.media.portMax) +
                            ": sip.port must lie outside media.port_min..media.port_max";
                   }});
  rules.push_back(
      {"media.shared_port, when set, must differ from sip.port and lie outside "
       "media.port_min..media.port_max (all are UDP ports).",
       [](const Config& c) -> std::optional<std::string> {
         const uint16_t p = c.media.sharedPort;
         if (p == 0 || (p != c.sip.port && (p < c.media.portMin || p > c.media.portMax))) {
           return std::nullopt;
         }
         return "media.shared_port = " + std::to_string(p) + ", sip.port = " + std::to_string(c.sip.port) +
                ", media.port_min = " + std::to_string(c.media.portMin) +
                ", media.port_max = " + std::to_string(c.media.portMax) +
                ": media.shared_port must differ from sip.port and lie outside "
                "media.port_min..media.port_max";
       }});
  // RFC 3261 §17.1.2.2: non-INVITE retransmit intervals double from T1 and are capped at T2.
  rules.push_back(
      {"sip.t2_ms must be at least sip.t1_ms.", [](const Config& c) -> std::optional<std::string> {
         if (c.sip.t2 >= c.sip.t1) return std::nullopt;
         return "sip.t1_ms = " + std::to_string(c.sip.t1.count()) +
                ", sip.t2_ms = " + std::to_string(c.sip.t2.count()) +
                ": sip.t2_ms must be at least sip.t1_ms";
       }});
  // A wildcard is not an address a peer can send to, so it cannot go into candidates or c= lines.
  rules.push_back({"media.public_address must be set when media.bind_address is a wildcard (0.0.0.0 or ::).",
                   [](const Config& c) -> std::optional<std::string> {
                     if (!isWildcard(c.media.bindAddress) || !c.media.publicAddress.empty())
                       return std::nullopt;
                     return "media.bind_address = " + tomlString(c.media.bindAddress) +
                            ", media.public_address = \"\": media.public_address must be set when "
                            "media.bind_address is a wildcard (0.0.0.0 or ::)";
                   }});
  return rules;
}

}  // namespace

const std::vector<ConfigKey>& configSchema() {
  static const std::vector<ConfigKey> schema = buildSchema();
  return schema;
}

const std::vector<CrossFieldRule>& crossFieldRules() {
  static const std::vector<CrossFieldRule> rules = buildCrossFieldRules();
  return rules;
}

std::string sectionOf(const std::string& keyName) {
  return keyName.substr(0, keyName.find('.'));
}

std::string tomlString(std::string_view text) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out = "\"";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace callgate::app
