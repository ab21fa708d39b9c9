// Applies the [log] section to the module loggers of core/logging.hpp.
#pragma once

#include "app/config.hpp"

namespace callgate::app {

// Sets the format, then every module's level: its own from log.modules, else log.level.
void applyLogConfig(const LogConfig& log);

}  // namespace callgate::app
