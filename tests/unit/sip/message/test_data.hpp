// Reads files of tests/data for the SIP message tests.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace callgate::sip::testing {

inline std::string readTestFile(const std::string& relative) {
  const std::string path = std::string(CALLGATE_TEST_DATA_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open test data " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace callgate::sip::testing
