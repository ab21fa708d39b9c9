#include "core/timer_queue.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace callgate::core {
namespace {

using std::chrono::milliseconds;

class TimerQueueTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  TimerQueue queue_{clock_};
  std::vector<std::string> log_;

  auto note(std::string what) {
    return [this, what = std::move(what)] { log_.push_back(what + "@" + std::to_string(elapsedMs())); };
  }
  long elapsedMs() const {
    return static_cast<long>(std::chrono::duration_cast<milliseconds>(clock_.now() - TimePoint{}).count());
  }
};

TEST_F(TimerQueueTest, FiresInDeadlineOrderThenScheduleOrder) {
  queue_.schedule(milliseconds(500), note("b"));
  queue_.schedule(milliseconds(100), note("a"));
  queue_.schedule(milliseconds(500), note("c"));
  EXPECT_EQ(queue_.nextDeadline(), TimePoint{} + milliseconds(100));
  EXPECT_EQ(queue_.fireDue(), 0u);  // nothing due at t=0
  EXPECT_EQ(queue_.advanceTo(clock_, TimePoint{} + milliseconds(1000)), 3u);
  EXPECT_EQ(log_, (std::vector<std::string>{"a@100", "b@500", "c@500"}));
  EXPECT_EQ(elapsedMs(), 1000);
  EXPECT_FALSE(queue_.nextDeadline());
}

TEST_F(TimerQueueTest, CancelledTimersDoNotFire) {
  const auto id = queue_.schedule(milliseconds(10), note("x"));
  EXPECT_TRUE(queue_.cancel(id));
  EXPECT_FALSE(queue_.cancel(id));
  EXPECT_FALSE(queue_.cancel(12345));
  queue_.advanceTo(clock_, TimePoint{} + milliseconds(100));
  EXPECT_TRUE(log_.empty());
  EXPECT_EQ(queue_.pending(), 0u);
}

TEST_F(TimerQueueTest, CallbacksMayScheduleAndCancel) {
  TimerQueue::TimerId later = 0;
  queue_.schedule(milliseconds(10), [&] {
    note("first")();
    queue_.schedule(milliseconds(0), note("immediate"));  // due now: runs in the same fireDue
    queue_.schedule(milliseconds(20), note("rescheduled"));
    queue_.cancel(later);
  });
  later = queue_.schedule(milliseconds(15), note("cancelled"));
  queue_.advanceTo(clock_, TimePoint{} + milliseconds(100));
  EXPECT_EQ(log_, (std::vector<std::string>{"first@10", "immediate@10", "rescheduled@30"}));
}

TEST_F(TimerQueueTest, AdvanceStopsShortOfLaterDeadlines) {
  queue_.schedule(milliseconds(50), note("a"));
  queue_.schedule(milliseconds(150), note("b"));
  EXPECT_EQ(queue_.advanceTo(clock_, TimePoint{} + milliseconds(100)), 1u);
  EXPECT_EQ(elapsedMs(), 100);
  EXPECT_EQ(queue_.pending(), 1u);
}

TEST_F(TimerQueueTest, NegativeDelayIsDueNow) {
  queue_.schedule(milliseconds(-5), note("now"));
  EXPECT_EQ(queue_.fireDue(), 1u);
  EXPECT_EQ(log_, (std::vector<std::string>{"now@0"}));
}

TEST_F(TimerQueueTest, MemberTimerRestartsAndCancelsOnDestruction) {
  {
    Timer timer(queue_);
    timer.start(milliseconds(10), note("replaced"));
    timer.start(milliseconds(20), note("kept"));
    EXPECT_TRUE(timer.active());
    EXPECT_EQ(queue_.pending(), 1u);
    queue_.advanceTo(clock_, TimePoint{} + milliseconds(25));
    EXPECT_FALSE(timer.active());
    timer.start(milliseconds(10), note("destroyed"));
  }
  EXPECT_EQ(queue_.pending(), 0u);
  queue_.advanceTo(clock_, TimePoint{} + milliseconds(100));
  EXPECT_EQ(log_, (std::vector<std::string>{"kept@20"}));
}

TEST_F(TimerQueueTest, TimerMayRestartItselfFromItsCallback) {
  Timer timer(queue_);
  int fired = 0;
  std::function<void()> tick = [&] {
    ++fired;
    if (fired < 3) timer.start(milliseconds(10), tick);
  };
  timer.start(milliseconds(10), tick);
  queue_.advanceTo(clock_, TimePoint{} + milliseconds(100));
  EXPECT_EQ(fired, 3);
  EXPECT_FALSE(timer.active());
}

TEST_F(TimerQueueTest, WakeupOnlyForANewEarliestDeadlineOutsideFiring) {
  std::vector<long> wakeups;
  queue_.setWakeup([&](TimePoint t) {
    wakeups.push_back(static_cast<long>(std::chrono::duration_cast<milliseconds>(t - TimePoint{}).count()));
  });
  queue_.schedule(milliseconds(100), note("a"));
  queue_.schedule(milliseconds(200), note("b"));  // later than the earliest: no wakeup
  queue_.schedule(milliseconds(50), [&] { queue_.schedule(milliseconds(1), note("inner")); });
  EXPECT_EQ(wakeups, (std::vector<long>{100, 50}));
  queue_.advanceTo(clock_, TimePoint{} + milliseconds(300));
  EXPECT_EQ(wakeups.size(), 2u);  // the one scheduled while firing is the firer's to re-arm
  EXPECT_EQ(log_, (std::vector<std::string>{"inner@51", "a@100", "b@200"}));
}

}  // namespace
}  // namespace callgate::core
