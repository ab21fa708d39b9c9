// "did you mean ...?" for unknown configuration keys and module names.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callgate::app {

// Levenshtein distance: insertions, deletions and substitutions each cost 1.
size_t editDistance(std::string_view a, std::string_view b);

// The known name closest to `unknown`: a near spelling ("sip.prot" -> "sip.port"), else the same last dotted
// part in another section ("sip.wss_port" -> "ws.wss_port"); nullopt when nothing is close enough to help.
std::optional<std::string> closestName(std::string_view unknown, const std::vector<std::string>& known);

}  // namespace callgate::app
