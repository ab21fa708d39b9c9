// The configuration schema: every key once, with its type, rule, doc string and default, and the rules that
// tie keys together. Validation (config.cpp), docs/CONFIG.md and config/callgate.toml (config_doc.cpp) are
// all generated from these two tables, so the documentation cannot drift from the code.
//
// Internal to the app layer (it exposes toml++ types); other code uses config.hpp.
#pragma once

#include <toml++/toml.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "core/result.hpp"

namespace callgate::app {

struct ConfigKey {
  std::string name;         // dotted path: "sip.port" is `port` in section [sip]
  std::string type;         // for the docs: "integer", "string", "array of strings", "table"
  std::string rule;         // completes "must be ...": "an integer from 1 to 65535"
  std::string doc;          // one sentence for the docs and the default config file
  std::string defaultText;  // the default as TOML text, e.g. `5060` or `"127.0.0.1"`
  // Checks `value` against the rule and stores it in `config`. The error names the key and the rule
  // ("sip.port = 70000: must be an integer from 1 to 65535"), without location or "config error: ".
  std::function<core::Result<void>(const toml::node& value, Config& config)> assign;
  // The key's value in `config` as TOML text.
  std::function<std::string(const Config& config)> render;
};

struct CrossFieldRule {
  std::string rule;  // for the docs, naming every key involved
  // nullopt when `config` satisfies the rule, else the error line naming the keys, their values and the rule.
  std::function<std::optional<std::string>(const Config& config)> check;
};

// In the order the docs and the default file show them; sections appear in the order of their first key.
const std::vector<ConfigKey>& configSchema();
const std::vector<CrossFieldRule>& crossFieldRules();

// The section part of a dotted key name ("sip" for "sip.port").
std::string sectionOf(const std::string& keyName);

// A TOML basic string, quoted and escaped (TOML 1.0 §String).
std::string tomlString(std::string_view text);

}  // namespace callgate::app
