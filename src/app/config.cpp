#include "app/config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "app/config_schema.hpp"
#include "app/name_suggestion.hpp"

namespace callgate::app {
namespace {

constexpr std::string_view kErrorPrefix = "config error: ";

struct Problem {
  uint32_t line;  // 0 when the problem has no single place in the file (cross-field rules)
  std::string message;
};

std::vector<std::string> knownKeyNames() {
  std::vector<std::string> names;
  for (const ConfigKey& key : configSchema()) names.push_back(key.name);
  return names;
}

std::vector<std::string> knownSections() {
  std::vector<std::string> sections;
  for (const ConfigKey& key : configSchema()) {
    const std::string section = sectionOf(key.name);
    if (std::find(sections.begin(), sections.end(), section) == sections.end()) sections.push_back(section);
  }
  return sections;
}

const ConfigKey* findKey(const std::string& name) {
  for (const ConfigKey& key : configSchema()) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

std::string unknownKeyMessage(const std::string& name, const std::vector<std::string>& known) {
  std::string message = "unknown key " + name;
  if (const auto suggestion = closestName(name, known)) message += "; did you mean " + *suggestion + "?";
  return message;
}

std::string joinSections(const std::vector<std::string>& sections) {
  std::string text;
  for (const std::string& s : sections) text += (text.empty() ? "[" : ", [") + s + "]";
  return text;
}

std::string joinProblems(std::vector<Problem> problems, std::string_view sourceName) {
  std::stable_sort(problems.begin(), problems.end(),
                   [](const Problem& a, const Problem& b) { return a.line < b.line; });
  std::string text;
  for (const Problem& p : problems) {
    if (!text.empty()) text += '\n';
    text += std::string(kErrorPrefix) + p.message;
    if (p.line != 0) text += " (at " + std::string(sourceName) + ":" + std::to_string(p.line) + ")";
  }
  return text;
}

std::vector<Problem> crossFieldProblems(const Config& config) {
  std::vector<Problem> problems;
  for (const CrossFieldRule& rule : crossFieldRules()) {
    if (auto message = rule.check(config)) problems.push_back({0, std::move(*message)});
  }
  return problems;
}

}  // namespace

std::string_view sipTransportName(SipTransport transport) {
  constexpr std::array<std::string_view, kSipTransports.size()> kNames{"udp", "tcp", "tls"};
  return kNames[static_cast<size_t>(transport)];
}

// RTP/AVP encoding names as SDP writes them (RFC 3551 §6; "opus" per RFC 7587 §7).
std::string_view codecName(Codec codec) {
  constexpr std::array<std::string_view, kCodecs.size()> kNames{"PCMU", "PCMA", "G722", "opus"};
  return kNames[static_cast<size_t>(codec)];
}

core::Result<Config> parseConfig(std::string_view tomlText, std::string_view sourceName) {
  toml::table root;
  try {
    root = toml::parse(tomlText, sourceName);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    return core::makeError(std::string(kErrorPrefix) + std::string(sourceName) + ":" +
                           std::to_string(begin.line) + ":" + std::to_string(begin.column) +
                           ": TOML syntax error: " + std::string(e.description()));
  }

  Config config;
  std::vector<Problem> problems;
  const std::vector<std::string> sections = knownSections();
  const std::vector<std::string> keyNames = knownKeyNames();
  for (auto&& [sectionKey, sectionNode] : root) {
    const std::string section(sectionKey.str());
    const uint32_t sectionLine = sectionNode.source().begin.line;
    if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
      std::vector<std::string> known = sections;
      known.insert(known.end(), keyNames.begin(), keyNames.end());
      problems.push_back({sectionLine, unknownKeyMessage(section, known) + " (sections are " +
                                           joinSections(sections) + ")"});
      continue;
    }
    const toml::table* table = sectionNode.as_table();
    if (table == nullptr) {
      problems.push_back({sectionLine, section + " must be a table (a [" + section + "] section)"});
      continue;
    }
    for (auto&& [key, value] : *table) {
      const std::string name = section + "." + std::string(key.str());
      const uint32_t line = value.source().begin.line;
      const ConfigKey* spec = findKey(name);
      if (spec == nullptr) {
        problems.push_back({line, unknownKeyMessage(name, keyNames)});
        continue;
      }
      if (auto assigned = spec->assign(value, config); !assigned) {
        problems.push_back({line, assigned.error().message});
      }
    }
  }
  // Cross-field rules only judge values that passed their own rules; a default standing in for a rejected
  // value would produce a second, misleading message.
  if (problems.empty()) problems = crossFieldProblems(config);
  if (!problems.empty()) return core::makeError(joinProblems(std::move(problems), sourceName));
  return config;
}

core::Result<Config> loadConfigFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return core::makeError(std::string(kErrorPrefix) + "cannot read " + path + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) {
    return core::makeError(std::string(kErrorPrefix) + "cannot read " + path + ": " + std::strerror(errno));
  }
  return parseConfig(text.str(), path);
}

core::Result<void> checkCrossFieldRules(const Config& config) {
  std::vector<Problem> problems = crossFieldProblems(config);
  if (problems.empty()) return {};
  return core::makeError(joinProblems(std::move(problems), ""));
}

std::string renderConfig(const Config& config) {
  std::string text;
  std::string section;
  for (const ConfigKey& key : configSchema()) {
    if (sectionOf(key.name) != section) {
      section = sectionOf(key.name);
      text += (text.empty() ? "[" : "\n[") + section + "]\n";
    }
    text += key.name.substr(section.size() + 1) + " = " + key.render(config) + "\n";
  }
  return text;
}

}  // namespace callgate::app
