#include "app/name_suggestion.hpp"

#include <algorithm>

namespace callgate::app {
namespace {

// A suggestion further than this many edits away is more noise than help.
constexpr size_t kMaxDistance = 3;

std::string_view lastPart(std::string_view name) {
  const size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

}  // namespace

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> previous(b.size() + 1);
  std::vector<size_t> current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::optional<std::string> closestName(std::string_view unknown, const std::vector<std::string>& known) {
  std::optional<std::string> best;
  size_t bestDistance = kMaxDistance + 1;
  for (const std::string& candidate : known) {
    const size_t distance = editDistance(unknown, candidate);
    // Half the name or more changed is another word, not a typo ("ws" is not a misspelt "sip").
    if (distance < bestDistance && distance * 2 < std::max(unknown.size(), candidate.size())) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best) return best;
  for (const std::string& candidate : known) {
    if (lastPart(candidate) == lastPart(unknown)) return candidate;
  }
  return std::nullopt;
}

}  // namespace callgate::app
