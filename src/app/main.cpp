// callgate: loads and validates the configuration, sets up logging, then serves (app/gateway_app) until
// SIGINT or SIGTERM. Exit codes: 0 on a clean stop (or after --help, --version, --check-config on a valid
// file), 1 when a listener could not be set up, 2 on a configuration or command-line error.
#include <spdlog/logger.h>
#include <CLI/CLI.hpp>

#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "app/config_doc.hpp"
#include "app/gateway_app.hpp"
#include "app/log_setup.hpp"
#include "app/version.hpp"
#include "core/logging.hpp"
#include "core/stop_signals.hpp"

namespace {

using namespace callgate;

constexpr int kExitOk = 0;
constexpr int kExitConfigError = 2;
constexpr int kExitStartError = 1;  // a listener or resource could not be set up

struct Options {
  std::string configPath;
  std::string logLevel;
  bool checkConfig = false;
  bool printConfigDoc = false;
  bool printDefaultConfig = false;
};

std::vector<std::string> levelNames() {
  std::vector<std::string> names;
  for (core::LogLevel level : core::kLogLevels) names.emplace_back(core::logLevelName(level));
  return names;
}

std::string transportList(const app::SipConfig& sip) {
  std::string list;
  for (app::SipTransport t : sip.transports)
    list += (list.empty() ? "" : ",") + std::string(app::sipTransportName(t));
  return list;
}

void logWhatIsServed(const app::Config& config, const std::string& configSource) {
  auto& log = core::logger(core::LogModule::kApp);
  log.info("callgate {} starting with {}", app::kVersion, configSource);
  log.info("SIP: {}:{} over {} (user agent \"{}\")", config.sip.listenAddress, config.sip.port,
           transportList(config.sip), config.sip.userAgent);
  log.info("WebSocket: ws://{}:{}", config.ws.listenAddress, config.ws.port);
  if (!config.ws.tlsCertificate.empty()) {
    log.info("WebSocket over TLS: wss://{}:{}", config.ws.listenAddress, config.ws.wssPort);
  }
  log.info("media: {} ports {}-{}", config.media.bindAddress, config.media.portMin, config.media.portMax);
}

}  // namespace

int main(int argc, char** argv) {
  // SIGINT and SIGTERM stay blocked until the gateway's handler is in place (GatewayApp::run unblocks them
  // on this thread): a signal during start-up waits instead of killing the process half set up, and the
  // threads started meanwhile (the DNS worker) inherit the mask, so the signal always reaches the loop's.
  core::blockStopSignals();
  Options options;
  CLI::App cli{"callgate: a WebRTC-to-SIP call gateway", "callgate"};
  cli.set_version_flag("--version", "callgate " + std::string(app::kVersion));
  cli.add_option("-c,--config", options.configPath,
                 "TOML configuration file (docs/CONFIG.md); defaults when omitted");
  cli.add_flag("--check-config", options.checkConfig,
               "Validate the configuration, print the effective configuration and exit");
  cli.add_option("--log-level", options.logLevel, "Override log.level (log.modules levels still apply)")
      ->check(CLI::IsMember(levelNames()));
  cli.add_flag("--print-config-doc", options.printConfigDoc,
               "Print the configuration reference (docs/CONFIG.md) and exit");
  cli.add_flag("--print-default-config", options.printDefaultConfig,
               "Print a config file with every key at its default (config/callgate.toml) and exit");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive here too, with exit code 0.
    return cli.exit(e) == 0 ? kExitOk : kExitConfigError;
  }

  if (options.printConfigDoc) {
    std::cout << app::configReferenceMarkdown();
    return kExitOk;
  }
  if (options.printDefaultConfig) {
    std::cout << app::defaultConfigToml();
    return kExitOk;
  }

  auto loaded = options.configPath.empty() ? core::Result<app::Config>(app::Config{})
                                           : app::loadConfigFile(options.configPath);
  if (!loaded) {
    std::cerr << loaded.error().message << '\n';
    return kExitConfigError;
  }
  app::Config config = std::move(loaded).value();
  if (!options.logLevel.empty()) config.log.level = *core::parseLogLevel(options.logLevel);

  if (options.checkConfig) {
    std::cout << app::renderConfig(config);
    std::cerr << "callgate: configuration is valid\n";
    return kExitOk;
  }

  app::applyLogConfig(config.log);
  logWhatIsServed(config, options.configPath.empty() ? std::string("built-in defaults") : options.configPath);
  app::GatewayApp gateway(std::move(config));
  return gateway.run() == 0 ? kExitOk : kExitStartError;
}
