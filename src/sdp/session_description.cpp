#include "sdp/session_description.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace callgate::sdp {

const Attribute* findAttribute(const std::vector<Attribute>& attributes, std::string_view name) {
  for (const Attribute& attribute : attributes) {
    if (core::iequals(attribute.name, name)) return &attribute;
  }
  return nullptr;
}

bool hasAttribute(const std::vector<Attribute>& attributes, std::string_view name) {
  return findAttribute(attributes, name) != nullptr;
}

std::optional<std::string_view> attributeValue(const std::vector<Attribute>& attributes,
                                               std::string_view name) {
  const Attribute* attribute = findAttribute(attributes, name);
  if (attribute == nullptr) return std::nullopt;
  if (!attribute->value) return std::string_view{};
  return std::string_view{*attribute->value};
}

size_t countAttributes(const std::vector<Attribute>& attributes, std::string_view name) {
  return static_cast<size_t>(std::count_if(attributes.begin(), attributes.end(), [name](const Attribute& a) {
    return core::iequals(a.name, name);
  }));
}

size_t removeAttributes(std::vector<Attribute>& attributes, std::string_view name) {
  const auto removed =
      std::erase_if(attributes, [name](const Attribute& a) { return core::iequals(a.name, name); });
  return static_cast<size_t>(removed);
}

}  // namespace callgate::sdp
