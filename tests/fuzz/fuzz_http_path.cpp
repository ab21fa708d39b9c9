// libFuzzer target: the HTTP port's request-target parser (api/static_files): any target a client sends
// either maps to a relative path that stays inside the web root or is refused. Checked on every input: no
// accepted path starts with '/', has an empty, "." or ".." segment, a backslash, a control character or a
// segment starting with '.', and the content type lookup never throws.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/static_files.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view target(reinterpret_cast<const char*>(data), size);
  auto path = callgate::api::staticRelativePath(target);
  if (!path) return 0;
  const std::string_view p(*path);
  if (p.empty() || p.front() == '/' || p.size() > 4096) std::abort();
  size_t start = 0;
  while (start <= p.size()) {
    const size_t end = p.find('/', start);
    const std::string_view segment = p.substr(start, end == std::string_view::npos ? p.npos : end - start);
    if (segment.empty() || segment.front() == '.') std::abort();  // "", ".", ".." and hidden names
    for (char c : segment) {
      if (c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) std::abort();
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  (void)callgate::api::staticContentType(p);
  return 0;
}
