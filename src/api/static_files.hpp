// The static web site the HTTP listener serves (the web phone, http.web_root): every servable file of a
// directory, read once at start-up so no request touches the disk on the control loop (ARCHITECTURE.md §3:
// no file I/O on a loop) and no request-target can reach a file that was not listed here.
//
// Servable: regular files (or symlinks to regular files inside the root) with a known extension (html, htm,
// js, mjs, css, svg, png, ico, json), no name component starting with '.', within the limits below.
// Everything else under the root is left out, so it answers 404.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace callgate::api {

struct StaticFile {
  std::string contentType;
  std::string body;
};

struct StaticFilesLimits {
  size_t maxFiles = 1000;
  size_t maxFileBytes = 32 * 1024 * 1024;
  size_t maxTotalBytes = 128 * 1024 * 1024;
};

class StaticFiles {
 public:
  // Reads every servable file under `root`, an existing directory. An error names the path and the reason
  // (not a directory, unreadable, over a limit).
  static core::Result<StaticFiles> load(const std::string& root, StaticFilesLimits limits = {});

  // The file a request-target names ("/", "/phone.js?v=2", "/img/logo.png"), or nullptr: unsafe or
  // malformed targets (see staticRelativePath) and files not loaded alike.
  const StaticFile* find(std::string_view target) const;
  size_t size() const { return files_.size(); }
  size_t totalBytes() const { return totalBytes_; }

 private:
  std::map<std::string, StaticFile, std::less<>> files_;  // by relative path, '/'-separated
  size_t totalBytes_ = 0;
};

// The relative file path an origin-form request-target names: query and fragment cut, percent-decoding
// applied, "index.html" appended to a path ending in '/'. nullopt for anything that is not plainly a path
// below the root: not starting with '/', a bad %-escape, an empty, "." or ".." segment, a segment starting
// with '.', a backslash, a control character or NUL (decoded or not), over 1024 bytes.
std::optional<std::string> staticRelativePath(std::string_view target);

// The Content-Type served for a file name by its extension (case-insensitive), nullopt when not servable.
std::optional<std::string_view> staticContentType(std::string_view fileName);

}  // namespace callgate::api
