// Reading the SDP files of tests/data/sdp for the SDP unit tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "sdp/sdp_parser.hpp"

namespace callgate::sdp::test {

inline std::filesystem::path sdpDataDir() {
  return std::filesystem::path(CALLGATE_TEST_DATA_DIR) / "sdp";
}

inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string readSdpFile(const std::string& name) {
  return readFile(sdpDataDir() / name);
}

// Parses a data file, failing the test with the parser's message when it does not parse.
inline SessionDescription parseSdpFile(const std::string& name) {
  const std::string text = readSdpFile(name);
  EXPECT_FALSE(text.empty()) << name << " is missing or empty";
  auto parsed = parseSdp(text);
  EXPECT_TRUE(parsed.ok()) << name << ": " << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? std::move(*parsed) : SessionDescription{};
}

}  // namespace callgate::sdp::test
