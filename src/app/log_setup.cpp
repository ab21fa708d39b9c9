#include "app/log_setup.hpp"

namespace callgate::app {

void applyLogConfig(const LogConfig& log) {
  core::setLogFormat(log.format);
  for (core::LogModule module : core::kLogModules) {
    const auto own = log.modules.find(module);
    core::setLogLevel(module, own == log.modules.end() ? log.level : own->second);
  }
}

}  // namespace callgate::app
