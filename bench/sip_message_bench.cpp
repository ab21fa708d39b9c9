// SIP message layer throughput: parse, validate and write back a typical 1 KB INVITE.
// Run: build/bench/callgate_bench --benchmark_filter=Sip   (figures in docs/PERFORMANCE.md)
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "sip/message/parser.hpp"
#include "sip/message/validate.hpp"
#include "sip/message/writer.hpp"

namespace {

using namespace callgate::sip;

std::string typicalInvite() {
  std::ifstream in(std::string(CALLGATE_TEST_DATA_DIR) + "/sip/typical-invite.sip", std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void SipParse(benchmark::State& state) {
  const std::string text = typicalInvite();
  MessageParser parser;
  Message message;
  for (auto _ : state) {
    auto ok = parser.parse(text, message);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(message);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(SipParse);

void SipParseValidate(benchmark::State& state) {
  const std::string text = typicalInvite();
  MessageParser parser;
  Message message;
  for (auto _ : state) {
    auto ok = parser.parse(text, message);
    auto valid = validateMessage(message);
    if (!ok || !valid) state.SkipWithError("typical INVITE did not parse and validate");
    benchmark::DoNotOptimize(valid);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(SipParseValidate);

void SipWrite(benchmark::State& state) {
  const std::string text = typicalInvite();
  auto message = parseMessage(text);
  std::string out;
  for (auto _ : state) {
    out.clear();
    writeMessage(*message, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(SipWrite);

// The figure: parse, validate and write back, all three, per message.
void SipParseValidateWrite(benchmark::State& state) {
  const std::string text = typicalInvite();
  MessageParser parser;
  Message message;
  std::string out;
  for (auto _ : state) {
    auto ok = parser.parse(text, message);
    auto valid = validateMessage(message);
    if (!ok || !valid) state.SkipWithError("typical INVITE did not parse and validate");
    out.clear();
    writeMessage(message, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(SipParseValidateWrite);

}  // namespace
