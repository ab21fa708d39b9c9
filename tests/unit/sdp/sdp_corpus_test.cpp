// Every *.sdp file in tests/data/sdp (ours, and the captures of real peers that other work adds there) must
// parse, round-trip through the writer, and give typed values for every attribute the gateway reads.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "sdp/attributes.hpp"
#include "sdp/media_view.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/sdp_writer.hpp"
#include "sdp_test_util.hpp"

namespace callgate::sdp {
namespace {

std::vector<std::filesystem::path> sdpFiles() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(test::sdpDataDir())) {
    if (entry.is_regular_file() && entry.path().extension() == ".sdp") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

template <typename T>
void expectOk(const core::Result<T>& result, const char* what) {
  EXPECT_TRUE(result.ok()) << what << ": " << (result.ok() ? "" : result.error().message);
}

// Every typed accessor over one media section, plus a count of the typed attributes it read, so that the
// test can check that nothing present was skipped.
size_t exerciseTypedAccess(const SessionDescription& sdp, const MediaDescription& media) {
  const MediaView view(sdp, media);
  expectOk(view.direction(), "direction");
  expectOk(view.rtpmaps(), "rtpmaps");
  for (uint8_t pt : view.payloadTypes()) {
    expectOk(view.rtpmap(pt), "rtpmap");
    expectOk(view.fmtp(pt), "fmtp");
    expectOk(view.rtcpFeedback(pt), "rtcp-fb");
  }
  expectOk(view.ptime(), "ptime");
  expectOk(view.maxptime(), "maxptime");
  expectOk(view.rtcp(), "rtcp");
  expectOk(view.iceUfrag(), "ice-ufrag");
  expectOk(view.icePwd(), "ice-pwd");
  expectOk(view.setup(), "setup");
  expectOk(view.groups(), "group");
  size_t typed = 0;
  auto count = [&typed](const auto& result, const char* what) {
    expectOk(result, what);
    if (result.ok()) typed += result->size();
  };
  count(parseAll<Rtpmap>(media.attributes), "rtpmap");
  count(parseAll<Fmtp>(media.attributes), "fmtp");
  count(parseAll<RtcpFeedback>(media.attributes), "rtcp-fb");
  count(view.candidates(), "candidate");
  count(parseAll<Fingerprint>(media.attributes), "fingerprint");
  count(view.ssrcs(), "ssrc");
  count(view.ssrcGroups(), "ssrc-group");
  count(view.msids(), "msid");
  count(parseAll<Extmap>(media.attributes), "extmap");
  count(view.cryptos(), "crypto");
  count(parseAll<SetupAttribute>(media.attributes), "setup");
  count(parseAll<RtcpAttribute>(media.attributes), "rtcp");
  return typed;
}

TEST(SdpCorpus, EveryDataFileParsesRoundTripsAndHasValidTypedAttributes) {
  const auto files = sdpFiles();
  // Our own examples alone are seven files; fewer means the folder was not found.
  ASSERT_GE(files.size(), 7u) << "too few .sdp files in " << test::sdpDataDir();
  static constexpr std::string_view kTypedNames[] = {"rtpmap",      "fmtp",   "rtcp-fb",    "candidate",
                                                     "fingerprint", "ssrc",   "ssrc-group", "msid",
                                                     "extmap",      "crypto", "setup",      "rtcp"};
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    const std::string text = test::readFile(path);
    auto sdp = parseSdp(text);
    ASSERT_TRUE(sdp.ok()) << sdp.error().message;

    const std::string written = writeSdp(*sdp);
    auto reparsed = parseSdp(written);
    ASSERT_TRUE(reparsed.ok()) << reparsed.error().message;
    EXPECT_EQ(*reparsed, *sdp);
    EXPECT_EQ(writeSdp(*reparsed), written);  // the canonical form is a fixed point

    expectOk(parseAll<Group>(sdp->attributes), "session group");
    expectOk(parseAll<Fingerprint>(sdp->attributes), "session fingerprint");
    expectOk(parseAll<Extmap>(sdp->attributes), "session extmap");
    for (const MediaDescription& media : sdp->media) {
      size_t present = 0;
      for (const Attribute& a : media.attributes) {
        present += static_cast<size_t>(std::count(std::begin(kTypedNames), std::end(kTypedNames), a.name));
      }
      EXPECT_EQ(exerciseTypedAccess(*sdp, media), present) << "a typed attribute was not read";
    }
  }
}

}  // namespace
}  // namespace callgate::sdp
