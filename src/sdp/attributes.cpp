#include "sdp/attributes.hpp"

namespace callgate::sdp {

core::Error attributeError(const Attribute& attribute, const core::Error& error) {
  std::string text = "a=" + attribute.name;
  if (attribute.value) text += ":" + *attribute.value;
  return core::makeError(core::printable(text, 96) + ": " + error.message, error.code);
}

}  // namespace callgate::sdp
