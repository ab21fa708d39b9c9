#include "net/media_thread.hpp"

#include <pthread.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "net/timer_driver.hpp"

namespace callgate::net {

struct MediaThread::Guard {
  explicit Guard(boost::asio::io_context& io) : work(boost::asio::make_work_guard(io)) {}
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
};

MediaThread::MediaThread(size_t index)
    : index_(index),
      io_(std::make_unique<boost::asio::io_context>(1)),
      timers_(clock_),
      driver_(std::make_unique<TimerDriver>(*io_, timers_)),
      guard_(std::make_unique<Guard>(*io_)) {}

MediaThread::~MediaThread() {
  stop();
  driver_.reset();
}

void MediaThread::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    const std::string name = "media-" + std::to_string(index_);
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    io_->run();
  });
}

void MediaThread::stop() {
  if (guard_) {
    guard_->work.reset();
    guard_.reset();
  }
  if (thread_.joinable()) {
    // Work posted before stop() still runs: the loop ends when it runs out of handlers. Sockets still open
    // keep waits pending, so the loop is told to stop once what is queued now has run.
    boost::asio::post(*io_, [io = io_.get()] { io->stop(); });
    thread_.join();
  }
}

void MediaThread::post(std::function<void()> fn) {
  boost::asio::post(*io_, std::move(fn));
}

MediaThreads::MediaThreads(size_t count) {
  if (count == 0) count = 1;
  for (size_t i = 0; i < count; ++i) threads_.push_back(std::make_unique<MediaThread>(i));
}

MediaThreads::~MediaThreads() {
  stop();
}

void MediaThreads::start() {
  for (auto& t : threads_) t->start();
}

void MediaThreads::stop() {
  for (auto& t : threads_) t->stop();
}

MediaThread& MediaThreads::next() {
  return *threads_[next_.fetch_add(1) % threads_.size()];
}

}  // namespace callgate::net
