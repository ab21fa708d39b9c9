// SIGINT and SIGTERM, the signals that stop callgate and callgate-sip, blocked or delivered on the calling
// thread. A program blocks them first thing in main() (threads it starts inherit the mask, so a signal always
// reaches the loop's handler, and one during start-up waits), delivers them once its asio signal_set waits,
// and blocks them again when its loop returns: `timeout` sends the signal to the program and then to its
// process group, and the second one must not kill the program after its handler is gone.
#pragma once

namespace callgate::core {

void blockStopSignals();
void deliverStopSignals();

}  // namespace callgate::core
