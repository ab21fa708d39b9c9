#include "net/timer_driver.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <vector>

namespace callgate::net {
namespace {

using std::chrono::milliseconds;

TEST(TimerDriver, FiresQueueTimersInOrderOnTheLoop) {
  boost::asio::io_context io;
  core::SteadyClock clock;
  core::TimerQueue queue(clock);
  TimerDriver driver(io, queue);
  std::vector<int> fired;
  const auto start = clock.now();
  queue.schedule(milliseconds(60), [&] { fired.push_back(2); });
  queue.schedule(milliseconds(20), [&] {
    fired.push_back(1);
    queue.schedule(milliseconds(10), [&] { fired.push_back(3); });  // scheduled while firing: re-armed after
  });
  queue.schedule(milliseconds(500), [&] { fired.push_back(4); });
  io.run_for(milliseconds(200));
  EXPECT_EQ(fired, (std::vector<int>{1, 3, 2}));
  EXPECT_GE(clock.now() - start, milliseconds(60));
  EXPECT_EQ(queue.pending(), 1u);  // the 500 ms timer is not due yet
}

TEST(TimerDriver, DestroyedDriverStopsFiring) {
  boost::asio::io_context io;
  core::SteadyClock clock;
  core::TimerQueue queue(clock);
  bool fired = false;
  {
    TimerDriver driver(io, queue);
    queue.schedule(milliseconds(20), [&] { fired = true; });
  }
  io.run_for(milliseconds(60));
  EXPECT_FALSE(fired);
  EXPECT_EQ(queue.pending(), 1u);
}

}  // namespace
}  // namespace callgate::net
