#include "core/stop_signals.hpp"

#include <csignal>

namespace callgate::core {
namespace {

void maskStopSignals(int how) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(how, &signals, nullptr);
}

}  // namespace

void blockStopSignals() {
  maskStopSignals(SIG_BLOCK);
}

void deliverStopSignals() {
  maskStopSignals(SIG_UNBLOCK);
}

}  // namespace callgate::core
