#include "api/static_files.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "core/text.hpp"

namespace callgate::api {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxTargetBytes = 1024;

constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kContentTypes{{
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"ico", "image/x-icon"},
    {"json", "application/json"},
}};

bool isControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

// Whether `p` (canonical) lies inside `root` (canonical).
bool isInside(const fs::path& p, const fs::path& root) {
  auto r = root.begin();
  auto q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (q == p.end() || *q != *r) return false;
  }
  return q != p.end();
}

std::string describe(const std::error_code& ec) {
  return ec.message();
}

}  // namespace

std::optional<std::string_view> staticContentType(std::string_view fileName) {
  const size_t dot = fileName.rfind('.');
  if (dot == std::string_view::npos || fileName.find('/', dot) != std::string_view::npos) return std::nullopt;
  const std::string extension = core::toLower(fileName.substr(dot + 1));
  for (const auto& [known, type] : kContentTypes) {
    if (extension == known) return type;
  }
  return std::nullopt;
}

std::optional<std::string> staticRelativePath(std::string_view target) {
  if (target.size() > kMaxTargetBytes || target.empty() || target.front() != '/') return std::nullopt;
  target = target.substr(0, target.find_first_of("?#"));
  // RFC 3986 §2.1: percent-decoding, which must not let an escaped '/' or '.' past the segment checks below,
  // so it is done first and the checks run on the decoded text.
  std::string path;
  for (size_t i = 0; i < target.size(); ++i) {
    char c = target[i];
    if (c == '%') {
      if (i + 2 >= target.size() || !core::isHexDigit(target[i + 1]) || !core::isHexDigit(target[i + 2])) {
        return std::nullopt;
      }
      c = static_cast<char>(core::hexValue(target[i + 1]) * 16 + core::hexValue(target[i + 2]));
      i += 2;
    }
    if (isControl(c) || c == '\\') return std::nullopt;
    path += c;
  }
  path.erase(0, 1);  // the leading '/'
  if (path.empty() || path.back() == '/') path += "index.html";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string_view segment(path.data() + start, end - start);
    // Empty ("//"), ".", ".." and hidden names: never a file this server lists.
    if (segment.empty() || segment.front() == '.') return std::nullopt;
    start = end + 1;
  }
  return path;
}

core::Result<StaticFiles> StaticFiles::load(const std::string& root, StaticFilesLimits limits) {
  std::error_code ec;
  const fs::path base = fs::canonical(fs::path(root), ec);
  if (ec) return core::makeError(root + ": " + describe(ec));
  if (!fs::is_directory(base, ec)) return core::makeError(root + ": not a directory");

  StaticFiles site;
  fs::recursive_directory_iterator it(base, fs::directory_options::none, ec);
  if (ec) return core::makeError(root + ": " + describe(ec));
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return core::makeError(root + ": " + describe(ec));
    const fs::directory_entry& entry = *it;
    const std::string name = entry.path().filename().string();
    if (!name.empty() && name.front() == '.') {
      // Hidden: neither served nor searched (a .git folder can be large and private).
      if (entry.is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    const fs::file_status linkStatus = entry.symlink_status(ec);
    if (ec || fs::is_directory(linkStatus)) continue;
    if (!staticContentType(name)) continue;
    // Regular files, and symlinks to regular files that stay inside the root.
    const fs::path real = fs::canonical(entry.path(), ec);
    if (ec || !fs::is_regular_file(real, ec) || !isInside(real, base)) continue;
    const std::string relative = entry.path().lexically_relative(base).generic_string();
    if (!staticRelativePath("/" + relative)) continue;  // a name no request could reach (control chars...)

    if (site.files_.size() >= limits.maxFiles) {
      return core::makeError(root + ": more than " + std::to_string(limits.maxFiles) + " files to serve");
    }
    const uintmax_t size = fs::file_size(real, ec);
    if (ec) return core::makeError(entry.path().string() + ": " + describe(ec));
    if (size > limits.maxFileBytes) {
      return core::makeError(entry.path().string() + ": larger than " + std::to_string(limits.maxFileBytes) +
                             " bytes");
    }
    if (site.totalBytes_ + size > limits.maxTotalBytes) {
      return core::makeError(root + ": its files add up to more than " +
                             std::to_string(limits.maxTotalBytes) + " bytes");
    }
    std::ifstream in(real, std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return core::makeError(entry.path().string() + ": cannot be read");
    site.totalBytes_ += body.size();
    site.files_.emplace(relative, StaticFile{std::string(*staticContentType(name)), std::move(body)});
  }
  return site;
}

const StaticFile* StaticFiles::find(std::string_view target) const {
  const auto relative = staticRelativePath(target);
  if (!relative) return nullptr;
  auto it = files_.find(*relative);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace callgate::api
