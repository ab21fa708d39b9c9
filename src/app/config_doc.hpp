// Texts generated from the configuration schema, committed to the repository and checked by unit tests:
// docs/CONFIG.md (`callgate --print-config-doc`) and config/callgate.toml (`callgate
// --print-default-config`).
#pragma once

#include <string>

namespace callgate::app {

// The configuration reference in Markdown: every key with its type, default, rule and meaning, then the
// cross-field rules.
std::string configReferenceMarkdown();

// A complete config file: every key set to its default, each under a one-line comment.
std::string defaultConfigToml();

}  // namespace callgate::app
