// Runs the built `callgate` executable: command line, exit codes, and a clean stop on SIGINT / SIGTERM.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/config.hpp"
#include "app/config_doc.hpp"

extern char** environ;

namespace callgate::app {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// A scratch folder per test, removed afterwards.
class CliBinary : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("callgate-cli-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path writeFile(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // Starts callgate with stdout and stderr going to files in the scratch folder.
  pid_t spawn(const std::vector<std::string>& args, bool stopSignalsBlocked = false) {
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    if (stopSignalsBlocked) {
      sigset_t mask;
      sigemptyset(&mask);
      sigaddset(&mask, SIGINT);
      sigaddset(&mask, SIGTERM);
      posix_spawnattr_setsigmask(&attributes, &mask);
      posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, (dir_ / "stdout").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, (dir_ / "stderr").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<std::string> all{CALLGATE_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, CALLGATE_BINARY, &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    EXPECT_EQ(rc, 0) << "cannot start " << CALLGATE_BINARY;
    return rc == 0 ? pid : -1;
  }

  static int waitExit(pid_t pid) {
    int status = 0;
    if (pid <= 0 || waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  int run(const std::vector<std::string>& args) { return waitExit(spawn(args)); }
  std::string out() const { return readFile(dir_ / "stdout"); }
  std::string err() const { return readFile(dir_ / "stderr"); }

  // Runs callgate until it reports that it is up, then sends `signal` and returns the exit code.
  int runUntilSignal(const std::vector<std::string>& args, int signal) {
    const pid_t pid = spawn(args);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (err().find("running until SIGINT") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_NE(err().find("running until SIGINT"), std::string::npos) << err();
    if (pid > 0) ::kill(pid, signal);
    return waitExit(pid);
  }

 private:
  fs::path dir_;
};

TEST_F(CliBinary, VersionPrintsTheProjectVersion) {
  EXPECT_EQ(run({"--version"}), 0);
  EXPECT_EQ(out(), "callgate " + std::string(kVersion) + "\n");
}

TEST_F(CliBinary, HelpListsTheOptions) {
  EXPECT_EQ(run({"--help"}), 0);
  for (const char* option : {"--config", "--check-config", "--log-level", "--version", "--print-config-doc",
                             "--print-default-config"}) {
    EXPECT_NE(out().find(option), std::string::npos) << option << " missing from:\n" << out();
  }
}

TEST_F(CliBinary, UsageErrorsExitWithTwo) {
  EXPECT_EQ(run({"--no-such-option"}), 2);
  EXPECT_NE(err().find("--no-such-option"), std::string::npos) << err();
  EXPECT_EQ(run({"--log-level", "loud"}), 2);
  EXPECT_NE(err().find("loud"), std::string::npos) << err();
  EXPECT_EQ(run({"--config"}), 2);
}

TEST_F(CliBinary, CheckConfigOnABadFileNamesTheKeyAndExitsWithTwo) {
  const fs::path file = writeFile("bad.toml", "[sip]\nport = 70000\n");
  EXPECT_EQ(run({"--check-config", "--config", file.string()}), 2);
  EXPECT_EQ(err(), "config error: sip.port = 70000: must be an integer from 1 to 65535 (at " + file.string() +
                       ":2)\n");
  EXPECT_EQ(out(), "");
}

TEST_F(CliBinary, MissingConfigFileExitsWithTwo) {
  EXPECT_EQ(run({"--config", "/nonexistent/callgate.toml"}), 2);
  EXPECT_NE(err().find("cannot read /nonexistent/callgate.toml"), std::string::npos) << err();
}

TEST_F(CliBinary, CheckConfigPrintsTheEffectiveConfig) {
  const fs::path file = writeFile("good.toml", "[sip]\nport = 5070\n");
  EXPECT_EQ(run({"--check-config", "--config", file.string(), "--log-level", "debug"}), 0);
  Config expected;
  expected.sip.port = 5070;
  expected.log.level = core::LogLevel::kDebug;
  EXPECT_EQ(out(), renderConfig(expected));
}

TEST_F(CliBinary, CheckConfigWithoutAFileValidatesTheDefaults) {
  EXPECT_EQ(run({"--check-config"}), 0);
  EXPECT_EQ(out(), renderConfig(Config{}));
}

TEST_F(CliBinary, PrintsTheGeneratedTexts) {
  EXPECT_EQ(run({"--print-config-doc"}), 0);
  EXPECT_EQ(out(), configReferenceMarkdown());
  EXPECT_EQ(run({"--print-default-config"}), 0);
  EXPECT_EQ(out(), defaultConfigToml());
}

TEST_F(CliBinary, RunsUntilSigtermThenExitsCleanly) {
  const fs::path file = writeFile("run.toml", "[sip]\nport = 5070\n[ws]\nport = 9090\n");
  EXPECT_EQ(runUntilSignal({"--config", file.string()}, SIGTERM), 0);
  const std::string log = err();
  EXPECT_NE(log.find("SIP: 127.0.0.1:5070 over udp,tcp"), std::string::npos) << log;
  EXPECT_NE(log.find("WebSocket: ws://127.0.0.1:9090"), std::string::npos) << log;
  EXPECT_NE(log.find("SIP on 127.0.0.1:5070"), std::string::npos) << log;
  EXPECT_NE(log.find("received SIGTERM, stopping"), std::string::npos) << log;
}

TEST_F(CliBinary, RunsUntilSigintThenExitsCleanly) {
  // Ports of its own: the tests of this binary may run at the same time.
  const fs::path file = writeFile("run.toml", "[sip]\nport = 5074\n[ws]\nport = 9094\n[http]\nport = 9095\n");
  EXPECT_EQ(runUntilSignal({"--config", file.string()}, SIGINT), 0);
  EXPECT_NE(err().find("received SIGINT, stopping"), std::string::npos) << err();
}

TEST_F(CliBinary, LogLevelOptionSilencesInfo) {
  // At warn nothing is logged, so there is no line to wait for before stopping it. Instead callgate starts
  // with SIGTERM already blocked: the signal sent at once stays pending until the gateway's signal handler
  // is in place and unblocks it, after the whole start-up (logging included) has run.
  const fs::path file = writeFile("run.toml", "[sip]\nport = 5076\n[ws]\nport = 9096\n[http]\nport = 9097\n");
  const pid_t pid = spawn({"--log-level", "warn", "--config", file.string()}, /*stopSignalsBlocked=*/true);
  ::kill(pid, SIGTERM);
  EXPECT_EQ(waitExit(pid), 0);
  EXPECT_EQ(err(), "");
}

}  // namespace
}  // namespace callgate::app
