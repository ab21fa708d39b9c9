#include "gateway/sip_call.hpp"

#include <spdlog/logger.h>

#include <utility>

#include "core/logging.hpp"
#include "core/text.hpp"
#include "gateway/call_counters.hpp"
#include "gateway/session.hpp"
#include "media/relay_session.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/sdp_writer.hpp"
#include "sdp/webrtc_answer.hpp"
#include "sdp/webrtc_offer_writer.hpp"
#include "sip/message/char_class.hpp"
#include "sip/message/header_values.hpp"
#include "sip/message/uri.hpp"

namespace callgate::gateway {
namespace {

spdlog::logger& log() {
  return core::logger(core::LogModule::kGateway);
}

// The SIP leg's codecs by name: the clock rate, channels and (0 for dynamic) RFC 3551 payload type.
struct KnownCodec {
  std::string_view name;
  uint32_t clockRate;
  uint32_t channels;
  int staticPt;  // -1: dynamic
};
constexpr KnownCodec kKnownCodecs[] = {
    {"PCMU", 8000, 1, 0}, {"PCMA", 8000, 1, 8}, {"G722", 8000, 1, 9}, {"opus", 48000, 2, -1}};
constexpr uint8_t kTelephoneEventPt = 101;
constexpr uint8_t kOpusPt = 111;

const KnownCodec* knownCodec(std::string_view name) {
  for (const KnownCodec& c : kKnownCodecs) {
    if (core::iequals(c.name, name)) return &c;
  }
  return nullptr;
}

bool sameCodec(const sdp::RtpCodec& a, const sdp::RtpCodec& b) {
  return core::iequals(a.name, b.name) && a.clockRate == b.clockRate;
}

// RFC 3264 §6.1: the direction an answer gives to an offered one.
sdp::Direction answerDirection(sdp::Direction offered) {
  switch (offered) {
    case sdp::Direction::kSendOnly:
      return sdp::Direction::kRecvOnly;
    case sdp::Direction::kRecvOnly:
      return sdp::Direction::kSendOnly;
    case sdp::Direction::kInactive:
      return sdp::Direction::kInactive;
    default:
      return sdp::Direction::kSendRecv;
  }
}

// A SIP display name as a quoted-string (RFC 3261 §25.1): " and \ escaped, control characters dropped.
std::string displayName(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The WCS info of a SIP failure: the reason phrase, or what a local failure means (PROTOCOL.md §3).
// The UA reports "call refused: 404 Not Found"; the client gets the peer's reason phrase, as WCS sends it.
std::string failureInfo(int status, std::string_view reason) {
  if (status == 408) return "Failed by request timeout";
  constexpr std::string_view kRefused = "call refused: ";
  if (reason.substr(0, kRefused.size()) == kRefused) reason.remove_prefix(kRefused.size());
  const std::string code = std::to_string(status) + " ";
  if (reason.substr(0, code.size()) == code) reason.remove_prefix(code.size());
  if (!reason.empty()) return std::string(reason);
  return "SIP " + std::to_string(status);
}

}  // namespace

// The media thread's part of the call: created, used and destroyed there.
struct SipCall::MediaSide {
  std::unique_ptr<media::RelaySession> relay;
};

// The codecs both legs can carry: the SIP-side codec and the client's payload type for it.
struct SipCall::Codecs {
  struct Entry {
    sdp::RtpCodec sip;
    uint8_t clientPt = 0;
  };
  std::vector<Entry> audio;
  std::optional<Entry> telephoneEvent;
  std::optional<Entry> chosen;
  std::optional<Entry> chosenTelephoneEvent;

  std::vector<sdp::RtpCodec> sipCodecs() const {
    std::vector<sdp::RtpCodec> out;
    for (const Entry& e : audio) out.push_back(e.sip);
    return out;
  }
  std::vector<media::PayloadMapping> mapping() const {
    std::vector<media::PayloadMapping> out;
    if (chosen) out.push_back({chosen->clientPt, chosen->sip.payloadType, chosen->sip.clockRate});
    if (chosenTelephoneEvent) {
      out.push_back({chosenTelephoneEvent->clientPt, chosenTelephoneEvent->sip.payloadType,
                     chosenTelephoneEvent->sip.clockRate});
    }
    return out;
  }
};

SipCall::SipCall(Context context, nlohmann::json call, Listener listener)
    : context_(std::move(context)),
      call_(std::move(call)),
      listener_(std::move(listener)),
      noAnswer_(context_.services.timers),
      self_(std::make_shared<SipCall*>(this)) {
  if (auto id = call_.find("callId"); id != call_.end() && id->is_string()) callId_ = id->get<std::string>();
}

SipCall::~SipCall() {
  *self_ = nullptr;
  if (side_ && thread_ != nullptr) {
    // The media goes away on its own thread (ARCHITECTURE.md §3), whatever state the call is in.
    thread_->post([side = std::move(side_)] {
      if (side->relay) side->relay->close();
      side->relay.reset();
    });
  }
}

void SipCall::emitStatus(const std::string& status, const std::string& info, int sipStatus) {
  status_ = status;
  call_["status"] = status;
  if (!info.empty()) call_["info"] = info;
  if (sipStatus != 0) call_["sipStatus"] = sipStatus;
  if (listener_.onEvent) listener_.onEvent(CallEvent{CallEvent::Kind::kStatus, callId_, call_, {}});
}

void SipCall::end(const std::string& status, const std::string& info, int sipStatus) {
  if (ended_) return;
  ended_ = true;
  noAnswer_.cancel();
  log().info("call {}: {} ({}{})", callId_, status, info,
             sipStatus != 0 ? ", SIP " + std::to_string(sipStatus) : std::string());
  // An incoming call the client never heard of ends without a word to it.
  if (!incoming_ || remoteSdpSent_) emitStatus(status, info, sipStatus);
  status_ = status;
  if (side_ && thread_ != nullptr) {
    thread_->post([side = std::move(side_)] {
      if (side->relay) side->relay->close();
      side->relay.reset();
    });
  }
  if (listener_.onEnded) listener_.onEnded();
}

void SipCall::post(std::function<void(MediaSide&)> fn) {
  if (!side_ || thread_ == nullptr) return;
  thread_->post([side = side_, fn = std::move(fn)] {
    if (side->relay) fn(*side);
  });
}

void SipCall::createMedia(std::function<void(SipCall&, core::Result<media::RelayLocal>)> then) {
  MediaServices& services = context_.media;
  thread_ = &services.pickThread();
  side_ = std::make_shared<MediaSide>();
  media::RelayConfig config;
  config.webrtc = services.endpoint;
  config.sipBindAddress = services.endpoint.bindAddress;
  config.sipPublicAddress = services.endpoint.publicAddress;
  config.portMin = services.endpoint.portMin;
  config.portMax = services.endpoint.portMax;
  config.rtpTimeout = context_.services.calls.rtpTimeout;
  std::weak_ptr<SipCall*> weak = self_;
  MediaServices* ms = &services;
  net::MediaThread* thread = thread_;
  const std::string callId = callId_;
  thread_->post([side = side_, ms, thread, config, weak, callId, then = std::move(then)] {
    // On the media thread. Reports go back to the control loop, to a call that may be gone by then.
    auto report = [ms, weak](std::function<void(SipCall&)> fn) {
      ms->postToControl([weak, fn = std::move(fn)] {
        if (auto self = weak.lock(); self && *self) fn(**self);
      });
    };
    media::RelaySession::Listener listener;
    listener.onConnected = [callId] {
      core::logger(core::LogModule::kMedia).info("call {}: client media connected", callId);
    };
    listener.onFailed = [report](const std::string& info, const std::string& reason) {
      report([info, reason](SipCall& call) { call.onMediaFailed(info, reason); });
    };
    auto relay = media::RelaySession::create(*thread, config, ms->certificate, ms->sharedPort, ms->counters,
                                             std::move(listener));
    if (!relay) {
      report([then, error = relay.error()](SipCall& call) { then(call, error); });
      return;
    }
    side->relay = std::move(*relay);
    report([then, local = side->relay->local()](SipCall& call) { then(call, local); });
  });
}

void SipCall::onMediaFailed(const std::string& info, const std::string& reason) {
  if (ended_) return;
  log().info("call {}: media failed: {} ({})", callId_, info, reason);
  cancelled_ = true;
  end("FAILED", info);
  if (sip::InviteSession* session = sipSession()) {
    if (incoming_ && !sipAnswered_) {
      session->reject(500, "Media failure");
    } else {
      session->hangup();
    }
  }
}

sip::InviteSession* SipCall::sipSession() {
  return sipId_ == 0 ? nullptr : context_.services.ua.session(sipId_);
}

sip::InviteSessionConfig SipCall::sessionConfig() const {
  const SipAccount& a = context_.account;
  sip::InviteSessionConfig c;
  // PROTOCOL.md §3: the call's visibleName is the caller's display name, else the account's.
  std::string visible = a.visibleName;
  if (auto v = call_.find("visibleName");
      v != call_.end() && v->is_string() && !v->get<std::string>().empty()) {
    visible = v->get<std::string>();
  }
  const std::string display = visible.empty() ? std::string() : displayName(visible) + " ";
  c.localUri = display + "<sip:" + (a.user.empty() ? std::string("anonymous") : a.user) + "@" +
               (a.domain.empty() ? context_.services.contactHost : a.domain) + ">";
  c.contact = context_.contact;
  c.sentBy = context_.services.sentBy;
  c.credentials = {a.authName, a.password};
  c.userAgent = context_.services.userAgent;
  c.timers = context_.services.calls.timers;
  c.noAnswerTimeout = std::chrono::seconds(0);  // the call's own timer (onNoAnswer) judges it
  c.declineStatus = context_.services.calls.declineStatus;
  c.routeSet = route_.routeSet;
  return c;
}

// ---- Outgoing ----------------------------------------------------------------------------------------

core::Result<void> SipCall::startOutgoing(const std::string& offerSdp, SipCallRoute route) {
  route_ = std::move(route);
  auto refuse = [this](std::string info, std::string why) -> core::Result<void> {
    log().info("call {}: refused: {}", callId_, why);
    end("FAILED", info);
    return core::makeError(std::move(why));
  };
  // PROTOCOL.md §3: sipSDP lines are appended to the SIP leg's SDP; inviteParameters and sipHeaders become
  // INVITE headers. Checked before anything is sent.
  if (auto lines = call_.find("sipSDP"); lines != call_.end() && !lines->is_null()) {
    if (!lines->is_array())
      return refuse("Failed by session creation", "call.sipSDP must be an array of SDP lines");
    for (const auto& line : *lines) {
      const std::string text = line.is_string() ? line.get<std::string>() : std::string();
      if (text.size() < 3 || text[1] != '=' || text[0] < 'a' || text[0] > 'z' ||
          text.find_first_of("\r\n", 0) != std::string::npos) {
        return refuse(
            "Failed by session creation",
            "call.sipSDP: each entry must be one SDP line \"x=value\" (a lower-case letter, '=', no "
            "CR or LF)");
      }
    }
    // What the SIP offer accepts besides (sdp::writeSipOffer: a= and b= lines, no direction, the limits),
    // checked now: the client hears which line is wrong, before TRYING and before a relay is made for
    // nothing.
    sdp::SipSdpParams check;
    check.address = "127.0.0.1";
    check.port = 9;
    check.codecs.push_back(sdp::RtpCodec{0, "PCMU", 8000, 1, std::nullopt});
    for (const auto& line : *lines) check.extraLines.push_back(line.get<std::string>());
    if (auto written = sdp::writeSipOffer(check); !written) {
      return refuse("Failed by session creation", "call.sipSDP: " + written.error().message);
    }
  }
  std::vector<std::pair<std::string, std::string>> headers;
  if (auto params = call_.find("inviteParameters"); params != call_.end() && !params->is_null()) {
    if (!params->is_object()) {
      return refuse("Failed by session creation",
                    "call.inviteParameters must be an object of header names to values");
    }
    for (const auto& [name, value] : params->items()) {
      if (!sip::chars::isToken(name) || !value.is_string() ||
          value.get<std::string>().find_first_of(std::string("\r\n\0", 3)) != std::string::npos) {
        return refuse("Failed by session creation",
                      "call.inviteParameters: '" + core::printable(name) +
                          "' must be a SIP token name with a string value without CR, LF or NUL");
      }
      headers.emplace_back(name, value.get<std::string>());
    }
  }
  if (auto list = call_.find("sipHeaders"); list != call_.end() && !list->is_null()) {
    if (!list->is_array())
      return refuse("Failed by session creation",
                    "call.sipHeaders must be an array of \"Name: value\" strings");
    for (const auto& entry : *list) {
      const std::string text = entry.is_string() ? entry.get<std::string>() : std::string();
      const size_t colon = text.find(':');
      const std::string name(
          core::trimLws(std::string_view(text).substr(0, colon == std::string::npos ? 0 : colon)));
      if (colon == std::string::npos || !sip::chars::isToken(name) ||
          text.find_first_of(std::string("\r\n\0", 3)) != std::string::npos) {
        return refuse(
            "Failed by session creation",
            "call.sipHeaders: each entry must be \"Name: value\" with a SIP token name and no CR, LF "
            "or NUL");
      }
      headers.emplace_back(name, std::string(core::trimLws(std::string_view(text).substr(colon + 1))));
    }
  }
  inviteHeaders_ = std::move(headers);

  auto parsed = sdp::parseSdp(offerSdp);
  std::string problem;
  if (!parsed) {
    problem = "sdp: " + parsed.error().message;
  } else if (auto read = sdp::readWebRtcOffer(*parsed); !read) {
    problem = read.error().message;
  } else {
    clientOffer_ = std::move(*read);
  }
  if (!clientOffer_) return refuse("Failed by session creation", "call.sdp: " + problem);

  const sdp::OfferedMedia* audio = nullptr;
  for (const sdp::OfferedMedia& m : clientOffer_->media) {
    if (!m.rejected && core::iequals(m.kind, "audio")) {
      audio = &m;
      break;
    }
  }
  if (audio == nullptr)
    return refuse("No common codecs", "call.sdp: No common codecs: the offer has no audio m-line");
  audioLine_ = audio->index;
  codecs_ = std::make_unique<Codecs>();
  std::string wanted;
  for (const std::string& name : context_.services.calls.codecs) {
    const KnownCodec* known = knownCodec(name);
    if (known == nullptr) continue;
    wanted += (wanted.empty() ? "" : ", ") + std::string(known->name);
    const sdp::OfferedCodec* offered = sdp::findCodec(*audio, known->name, known->clockRate);
    if (offered == nullptr) continue;
    sdp::RtpCodec sip;
    sip.payloadType = known->staticPt >= 0 ? static_cast<uint8_t>(known->staticPt) : offered->payloadType;
    sip.name = std::string(known->name);
    sip.clockRate = known->clockRate;
    sip.channels = known->channels;
    if (known->staticPt < 0) sip.fmtp = offered->fmtp;
    codecs_->audio.push_back(Codecs::Entry{sip, offered->payloadType});
  }
  if (codecs_->audio.empty()) {
    return refuse("No common codecs", "call.sdp: No common codecs: the offer has none of " + wanted +
                                          " (media.codecs), and transcoding is not available yet");
  }
  if (const sdp::OfferedCodec* te = sdp::findCodec(*audio, "telephone-event", 8000)) {
    sdp::RtpCodec sip{kTelephoneEventPt, "telephone-event", 8000, 1, std::string("0-16")};
    codecs_->telephoneEvent = Codecs::Entry{sip, te->payloadType};
  }

  emitStatus("TRYING");
  createMedia(
      [](SipCall& call, core::Result<media::RelayLocal> local) { call.onOutgoingMedia(std::move(local)); });
  // The client's credentials are known now; the relay starts once the SIP side answers.
  const sdp::OfferedMedia& owner = *audio;
  const webrtc::dtls::DtlsRole role = owner.setup == sdp::SetupRole::kPassive
                                          ? webrtc::dtls::DtlsRole::kClient
                                          : webrtc::dtls::DtlsRole::kServer;
  std::weak_ptr<SipCall*> weak = self_;
  MediaServices* ms = &context_.media;
  post([ice = webrtc::ice::IceCredentials{owner.ufrag, owner.pwd}, hash = owner.fingerprintHash,
        value = owner.fingerprintValue, role, weak, ms](MediaSide& side) {
    if (auto set = side.relay->setWebRtcRemote(ice, hash, value, role); !set) {
      ms->postToControl([weak, why = set.error().message] {
        if (auto self = weak.lock(); self && *self)
          (*self)->onMediaFailed("Failed by DTLS fingerprint error", why);
      });
    }
  });
  return {};
}

void SipCall::onOutgoingMedia(core::Result<media::RelayLocal> local) {
  if (ended_) return;
  if (!local) {
    log().warn("call {}: no media: {}", callId_, local.error().message);
    end("FAILED", "Failed by session creation");
    return;
  }
  local_ = std::make_unique<media::RelayLocal>(*local);
  sdp::SipSdpParams params;
  params.originAddress = local_->sipAddress;
  params.sessionId = context_.services.random.next64() >> 1;
  params.sessionVersion = sdpVersion_;
  params.address = local_->sipAddress;
  params.port = local_->sipRtpPort;
  params.codecs = codecs_->sipCodecs();
  if (codecs_->telephoneEvent) params.telephoneEvent = codecs_->telephoneEvent->sip;
  if (auto lines = call_.find("sipSDP"); lines != call_.end() && lines->is_array()) {
    for (const auto& line : *lines) params.extraLines.push_back(line.get<std::string>());
  }
  sipSessionId_ = params.sessionId;
  auto offer = sdp::writeSipOffer(params);
  if (!offer) {
    end("FAILED", "Failed by session creation");
    return;
  }
  sipSdpOut_ = std::move(*offer);

  if (route_.nextHop) {
    sendInvite(*route_.nextHop);
    return;
  }
  std::weak_ptr<SipCall*> weak = self_;
  const std::string target = route_.locate;
  context_.services.locator.locate(target, [weak, target](core::Result<std::vector<sip::Endpoint>> targets) {
    auto self = weak.lock();
    if (!self || !*self || (*self)->ended_) return;
    if (!targets || targets->empty()) {
      (*self)->end("FAILED",
                   "Failed by error: cannot find the SIP server for " + target + ": " +
                       (targets ? std::string("no address") : targets.error().message),
                   503);
      return;
    }
    (*self)->sendInvite(targets->front());
  });
}

void SipCall::sendInvite(const sip::Endpoint& nextHop) {
  sip::InviteSession::CallParams params;
  params.requestUri = route_.requestUri;
  params.to = route_.to;
  params.nextHop = nextHop;
  params.offerSdp = sipSdpOut_;
  params.headers = inviteHeaders_;
  sip::InviteSession::Owner owner;
  std::weak_ptr<SipCall*> weak = self_;
  owner.onEvent = [weak](const sip::InviteSession::Event& event) {
    if (auto self = weak.lock(); self && *self) (*self)->onUacEvent(event);
  };
  owner.onOffer = [weak](std::string_view offer) -> std::optional<std::string> {
    auto self = weak.lock();
    if (!self || !*self) return std::nullopt;
    return (*self)->onSipOffer(offer);
  };
  auto id = context_.services.ua.call(sessionConfig(), std::move(owner), std::move(params),
                                      [weak](sip::UserAgent::SessionId created) {
                                        if (auto self = weak.lock(); self && *self) (*self)->sipId_ = created;
                                      });
  if (!id) {
    end("FAILED", "Failed by error: " + id.error().message);
    return;
  }
  sipId_ = *id;
  log().info("call {}: INVITE {} via {}", callId_, route_.requestUri, nextHop.toString());
  if (context_.services.calls.noAnswerTimeout.count() > 0) {
    noAnswer_.start(context_.services.calls.noAnswerTimeout, [this] { onNoAnswer(); });
  }
}

void SipCall::onUacEvent(const sip::InviteSession::Event& event) {
  using Kind = sip::InviteSession::Event::Kind;
  if (ended_) return;
  switch (event.kind) {
    case Kind::kProvisional: {
      if (event.status == 100) return;
      if (!event.sdp.empty()) {
        const bool first = !remoteSdpSent_;
        if (auto applied = onSipAnswer(event.sdp); !applied) {
          log().info("call {}: {}", callId_, applied.error().message);
          cancelled_ = true;
          end("FAILED", "No common codecs");
          if (sip::InviteSession* s = sipSession()) s->hangup();
          return;
        }
        if (first || status_ != "RING_MEDIA") emitStatus("RING_MEDIA");
        return;
      }
      if (status_ == "RING_MEDIA") return;  // the early media stays
      const std::string status = event.status == 180 ? "RING" : "SESSION_PROGRESS";
      if (status != status_) emitStatus(status);
      return;
    }
    case Kind::kAnswered: {
      sipAnswered_ = true;
      noAnswer_.cancel();
      if (!event.sdp.empty()) {
        if (auto applied = onSipAnswer(event.sdp); !applied) {
          log().info("call {}: {}", callId_, applied.error().message);
          end("FAILED", "No common codecs");
          if (sip::InviteSession* s = sipSession()) s->hangup();
          return;
        }
      } else if (!remoteSdpSent_) {
        end("FAILED", "Failed by error: the SIP answer (2xx) has no SDP");
        if (sip::InviteSession* s = sipSession()) s->hangup();
        return;
      }
      emitStatus("ESTABLISHED");
      return;
    }
    case Kind::kFailed:
      if (event.status == 486 || event.status == 600) {
        end("BUSY", failureInfo(event.status, event.reason), event.status);
      } else {
        end("FAILED", failureInfo(event.status, event.reason), event.status);
      }
      return;
    case Kind::kEnded:
    case Kind::kCancelled:
      end("FINISH", "Normal call clearing");
      return;
    case Kind::kRemoteSdp:
      onAckAnswer(event.sdp);
      return;
    default:
      return;
  }
}

core::Result<void> SipCall::onSipAnswer(const std::string& sdpText) {
  auto read = sdp::readSipSdp(sdpText);
  if (!read) return core::makeError("the SIP side's SDP: " + read.error().message);
  if (!read->audio || read->audio->port == 0) {
    return core::makeError("No common codecs: the SIP side's answer has no usable audio stream");
  }
  const sdp::SipAudio& audio = *read->audio;
  if (audio.secure) return core::makeError("No common codecs: the SIP side answered with SRTP (RTP/SAVP)");
  std::optional<Codecs::Entry> chosen;
  for (const sdp::RtpCodec& answered : audio.codecs) {
    for (const Codecs::Entry& e : codecs_->audio) {
      if (sameCodec(e.sip, answered)) {
        chosen = Codecs::Entry{answered, e.clientPt};
        break;
      }
    }
    if (chosen) break;
  }
  if (!chosen) return core::makeError("No common codecs: the SIP side answered none of the offered codecs");
  if (codecs_->chosen && !sameCodec(codecs_->chosen->sip, chosen->sip)) {
    // PROTOCOL.md §3: the client already has its answer; a later SIP answer may move the stream, not the
    // codec.
    return core::makeError("No common codecs: the SIP side changed the codec from " +
                           codecs_->chosen->sip.name + " to " + chosen->sip.name +
                           " after the client was answered");
  }
  codecs_->chosen = chosen;
  codecs_->chosenTelephoneEvent.reset();
  if (audio.telephoneEvent && codecs_->telephoneEvent) {
    codecs_->chosenTelephoneEvent = Codecs::Entry{*audio.telephoneEvent, codecs_->telephoneEvent->clientPt};
  }
  const bool hold =
      audio.direction == sdp::Direction::kSendOnly || audio.direction == sdp::Direction::kInactive;
  post([address = hold ? std::string("0.0.0.0") : audio.address, port = audio.port, rtcp = audio.rtcpPort,
        mux = audio.rtcpMux, payloads = codecs_->mapping()](MediaSide& side) {
    side.relay->setSipRemote(address, port, rtcp, mux);
    side.relay->setPayloads(payloads);
  });
  if (remoteSdpSent_) return {};

  // The client's answer (PROTOCOL.md §3: exactly one setRemoteSDP).
  const sdp::OfferedMedia& offered = clientOffer_->media[audioLine_];
  sdp::WebRtcAnswerParams params;
  params.originAddress = local_->webrtcAddress;
  params.sessionId = std::to_string(context_.services.random.next64() >> 1);
  params.fingerprintValue = context_.media.certificate->fingerprint();
  params.setup =
      offered.setup == sdp::SetupRole::kPassive ? sdp::SetupRole::kActive : sdp::SetupRole::kPassive;
  params.bundle = clientOffer_->bundled(offered);
  params.transports.push_back(
      sdp::AnswerTransport{local_->ice.ufrag, local_->ice.pwd, local_->webrtcAddress, local_->webrtcPort});
  params.media.resize(clientOffer_->media.size());
  sdp::AnsweredMedia& a = params.media[audioLine_];
  a.accept = true;
  a.payloadTypes.push_back(codecs_->chosen->clientPt);
  if (codecs_->chosenTelephoneEvent) a.payloadTypes.push_back(codecs_->chosenTelephoneEvent->clientPt);
  a.direction = answerDirection(offered.direction);
  a.transport = 0;
  a.ssrc = local_->webrtcSsrc;
  const std::string answer = sdp::writeSdp(sdp::buildWebRtcAnswer(*clientOffer_, params));
  post([](MediaSide& side) { side.relay->start(); });
  remoteSdpSent_ = true;
  log().info("call {}: relaying {} (client PT {}, SIP PT {})", callId_, codecs_->chosen->sip.name,
             codecs_->chosen->clientPt, codecs_->chosen->sip.payloadType);
  if (listener_.onEvent) listener_.onEvent(CallEvent{CallEvent::Kind::kRemoteSdp, callId_, {}, answer});
  return {};
}

// A re-INVITE or UPDATE from the SIP side (ARCHITECTURE.md §4: answered here, the client leg stays).
std::optional<std::string> SipCall::onSipOffer(std::string_view offerText) {
  if (ended_ || !local_ || !codecs_ || !codecs_->chosen) return std::nullopt;
  sdp::SipSdpParams params;
  params.originAddress = local_->sipAddress;
  params.sessionId = sipSessionId_;
  params.sessionVersion = ++sdpVersion_;
  params.address = local_->sipAddress;
  params.port = local_->sipRtpPort;
  if (offerText.empty()) {
    // The peer asks for our offer: the stream as it is.
    params.codecs = {codecs_->chosen->sip};
    if (codecs_->chosenTelephoneEvent) params.telephoneEvent = codecs_->chosenTelephoneEvent->sip;
    auto offer = sdp::writeSipOffer(params);
    if (!offer) return std::nullopt;
    sipSdpOut_ = *offer;
    return sipSdpOut_;
  }
  auto read = sdp::readSipSdp(offerText);
  if (!read || !read->audio || read->audio->secure) return std::nullopt;
  const sdp::SipAudio& audio = *read->audio;
  const sdp::RtpCodec* same = nullptr;
  for (const sdp::RtpCodec& c : audio.codecs) {
    if (sameCodec(c, codecs_->chosen->sip)) {
      same = &c;
      break;
    }
  }
  if (same == nullptr) return std::nullopt;  // 488: the client leg cannot change codec without transcoding
  codecs_->chosen->sip = *same;
  if (audio.telephoneEvent && codecs_->telephoneEvent) {
    codecs_->chosenTelephoneEvent = Codecs::Entry{*audio.telephoneEvent, codecs_->telephoneEvent->clientPt};
  } else {
    codecs_->chosenTelephoneEvent.reset();
  }
  params.codecs = {*same};
  if (codecs_->chosenTelephoneEvent) params.telephoneEvent = codecs_->chosenTelephoneEvent->sip;
  params.direction = answerDirection(audio.direction);
  auto answer = sdp::writeSipAnswer(*read, params);
  if (!answer) return std::nullopt;
  const bool hold = audio.port == 0 || audio.direction == sdp::Direction::kSendOnly ||
                    audio.direction == sdp::Direction::kInactive || audio.address == "0.0.0.0";
  post([address = hold ? std::string("0.0.0.0") : audio.address, port = audio.port, rtcp = audio.rtcpPort,
        mux = audio.rtcpMux, payloads = codecs_->mapping()](MediaSide& side) {
    side.relay->setSipRemote(address, port, rtcp, mux);
    side.relay->setPayloads(payloads);
  });
  log().info("call {}: answered the SIP side's new offer ({})", callId_, hold ? "held" : "active");
  sipSdpOut_ = *answer;
  return sipSdpOut_;
}

// RFC 3264 §4: a re-INVITE without SDP got our offer in the 200; its ACK answers. The answer moves the SIP
// side like any later SIP SDP (ADR 0009 §4); one with another codec cannot be followed by the client leg.
void SipCall::onAckAnswer(const std::string& sdp) {
  if (ended_ || !remoteSdpSent_ || !codecs_ || !codecs_->chosen) return;
  if (auto applied = onSipAnswer(sdp); !applied) {
    log().info("call {}: {}", callId_, applied.error().message);
    cancelled_ = true;
    end("FAILED", "No common codecs");
    if (sip::InviteSession* s = sipSession()) s->hangup();
  }
}

void SipCall::onNoAnswer() {
  if (ended_) return;
  log().info("call {}: no answer within {} s", callId_, context_.services.calls.noAnswerTimeout.count());
  cancelled_ = true;
  end("FAILED", "Failed by request timeout", incoming_ ? 480 : 408);
  if (sip::InviteSession* session = sipSession()) {
    if (incoming_) {
      session->reject(480, "Temporarily Unavailable");
    } else {
      session->hangup();  // CANCEL
    }
  }
}

// ---- Incoming ----------------------------------------------------------------------------------------

sip::UserAgent::IncomingCall SipCall::acceptIncoming(sip::UserAgent::SessionId id,
                                                     const sip::Message& invite) {
  incoming_ = true;
  sipId_ = id;
  const std::string_view body = invite.body();
  if (!body.empty()) {
    auto read = sdp::readSipSdp(body);
    if (!read) {
      incomingProblem_ = {400, "Bad SDP: " + read.error().message};
    } else if (!read->audio || read->audio->port == 0) {
      incomingProblem_ = {488, "No common codecs: the offer has no audio stream"};
    } else if (read->audio->secure) {
      incomingProblem_ = {488, "No common codecs: SRTP (RTP/SAVP) offers are not supported"};
    } else {
      sipOffer_ = std::move(*read);
    }
  }
  codecs_ = std::make_unique<Codecs>();
  for (const std::string& name : context_.services.calls.codecs) {
    const KnownCodec* known = knownCodec(name);
    if (known == nullptr) continue;
    if (sipOffer_) {
      for (const sdp::RtpCodec& c : sipOffer_->audio->codecs) {
        if (core::iequals(c.name, known->name) && c.clockRate == known->clockRate) {
          codecs_->audio.push_back(Codecs::Entry{c, c.payloadType});
          break;
        }
      }
    } else {
      sdp::RtpCodec c;
      c.payloadType = known->staticPt >= 0 ? static_cast<uint8_t>(known->staticPt) : kOpusPt;
      c.name = std::string(known->name);
      c.clockRate = known->clockRate;
      c.channels = known->channels;
      codecs_->audio.push_back(Codecs::Entry{c, c.payloadType});
    }
  }
  if (sipOffer_ && sipOffer_->audio->telephoneEvent) {
    codecs_->telephoneEvent =
        Codecs::Entry{*sipOffer_->audio->telephoneEvent, sipOffer_->audio->telephoneEvent->payloadType};
  } else if (!sipOffer_) {
    sdp::RtpCodec te{kTelephoneEventPt, "telephone-event", 8000, 1, std::string("0-16")};
    codecs_->telephoneEvent = Codecs::Entry{te, kTelephoneEventPt};
  }
  if (!incomingProblem_ && codecs_->audio.empty()) {
    incomingProblem_ = {488, "No common codecs"};
  }

  sip::UserAgent::IncomingCall setup;
  setup.config = sessionConfig();
  std::weak_ptr<SipCall*> weak = self_;
  setup.owner.onEvent = [weak](const sip::InviteSession::Event& event) {
    if (auto self = weak.lock(); self && *self) (*self)->onUasEvent(event);
  };
  setup.owner.onOffer = [weak](std::string_view offer) -> std::optional<std::string> {
    auto self = weak.lock();
    if (!self || !*self) return std::nullopt;
    return (*self)->onSipOffer(offer);
  };
  setup.onCreated = [weak](sip::InviteSession& session) {
    if (auto self = weak.lock(); self && *self) (*self)->onIncomingCreated(session);
  };
  return setup;
}

void SipCall::onIncomingCreated(sip::InviteSession& session) {
  if (ended_) {
    refuseUnannounced(session, 480, "Temporarily Unavailable");
    return;
  }
  if (incomingProblem_) {
    log().info("call {}: INVITE refused: {} {}", callId_, incomingProblem_->first, incomingProblem_->second);
    end("FAILED",
        incomingProblem_->second.rfind("No common codecs", 0) == 0 ? "No common codecs"
                                                                   : "Failed by session creation",
        incomingProblem_->first);
    refuseUnannounced(session, incomingProblem_->first, incomingProblem_->second);
    return;
  }
  if (context_.services.calls.noAnswerTimeout.count() > 0) {
    noAnswer_.start(context_.services.calls.noAnswerTimeout, [this] { onNoAnswer(); });
  }
  createMedia(
      [](SipCall& call, core::Result<media::RelayLocal> local) { call.onIncomingMedia(std::move(local)); });
}

void SipCall::refuseUnannounced(sip::InviteSession& session, int sipStatus, const std::string& reason) {
  if (context_.services.callCounters != nullptr) context_.services.callCounters->refusedIncoming(sipStatus);
  session.reject(sipStatus, reason);
}

void SipCall::onIncomingMedia(core::Result<media::RelayLocal> local) {
  if (ended_) return;
  sip::InviteSession* session = sipSession();
  if (!local) {
    log().warn("call {}: no media: {}", callId_, local.error().message);
    end("FAILED", "Failed by session creation", 503);
    if (session != nullptr) refuseUnannounced(*session, 503, "Service Unavailable");
    return;
  }
  if (session == nullptr) {
    end("FINISH", "Normal call clearing");
    return;
  }
  local_ = std::make_unique<media::RelayLocal>(*local);
  sdp::WebRtcOfferParams params;
  params.originAddress = local_->webrtcAddress;
  params.sessionId = context_.services.random.next64() >> 1;
  params.ufrag = local_->ice.ufrag;
  params.pwd = local_->ice.pwd;
  params.fingerprintValue = context_.media.certificate->fingerprint();
  params.address = local_->webrtcAddress;
  params.port = local_->webrtcPort;
  for (const Codecs::Entry& e : codecs_->audio) {
    sdp::RtpCodec c = e.sip;
    c.payloadType = e.clientPt;
    params.codecs.push_back(c);
  }
  if (codecs_->telephoneEvent) {
    sdp::RtpCodec te = codecs_->telephoneEvent->sip;
    te.payloadType = codecs_->telephoneEvent->clientPt;
    params.telephoneEvent = te;
  }
  params.ssrc = local_->webrtcSsrc;
  const std::string offer = sdp::writeWebRtcOffer(params);
  // PROTOCOL.md §4: setRemoteSDP first (the SDK caches it), then notifyIncomingCall; 180 to the SIP side.
  remoteSdpSent_ = true;
  if (listener_.onEvent) listener_.onEvent(CallEvent{CallEvent::Kind::kRemoteSdp, callId_, {}, offer});
  status_ = "RING";
  call_["status"] = "RING";
  if (listener_.onEvent) listener_.onEvent(CallEvent{CallEvent::Kind::kIncoming, callId_, call_, {}});
  // The WebSDK creates the call in status NEW, where its hangup() stays local: the RING status makes a
  // hangup before answering reach the gateway (and answer() accepts RING).
  emitStatus("RING");
  session->ring();
}

core::Result<void> SipCall::answer(const std::string& answerSdp) {
  if (!incoming_) return Call::answer(answerSdp);
  if (ended_ || sipAnswered_ || !local_) {
    return core::makeError("answer.callId: '" + callId_ + "' is not ringing (its status is " + status_ + ")");
  }
  sip::InviteSession* session = sipSession();
  auto fail = [&](int sipStatus, std::string reason, std::string info,
                  std::string why) -> core::Result<void> {
    cancelled_ = true;
    end("FAILED", info, sipStatus);
    if (session != nullptr) session->reject(sipStatus, reason);
    return core::makeError(std::move(why));
  };
  auto read = sdp::readWebRtcAnswer(answerSdp);
  if (!read)
    return fail(488, "Not Acceptable Here", "Failed by session creation",
                "answer.sdp: " + read.error().message);
  if (!read->audioAccepted) {
    return fail(488, "Not Acceptable Here", "No common codecs",
                "answer.sdp: the answer rejects the audio m-line");
  }
  std::optional<Codecs::Entry> chosen;
  for (const sdp::RtpCodec& c : read->codecs) {
    for (const Codecs::Entry& e : codecs_->audio) {
      if (e.clientPt == c.payloadType && core::iequals(e.sip.name, c.name)) {
        chosen = e;
        break;
      }
    }
    if (chosen) break;
  }
  if (!chosen) {
    return fail(488, "Not Acceptable Here", "No common codecs",
                "answer.sdp: No common codecs: the answer takes none of the offered codecs");
  }
  codecs_->chosen = chosen;
  if (read->telephoneEvent && codecs_->telephoneEvent &&
      read->telephoneEvent->payloadType == codecs_->telephoneEvent->clientPt) {
    codecs_->chosenTelephoneEvent = codecs_->telephoneEvent;
  }
  const webrtc::dtls::DtlsRole role = read->setup == sdp::SetupRole::kActive
                                          ? webrtc::dtls::DtlsRole::kServer
                                          : webrtc::dtls::DtlsRole::kClient;

  sdp::SipSdpParams params;
  params.originAddress = local_->sipAddress;
  params.sessionId = context_.services.random.next64() >> 1;
  sipSessionId_ = params.sessionId;
  params.sessionVersion = sdpVersion_;
  params.address = local_->sipAddress;
  params.port = local_->sipRtpPort;
  params.codecs = {chosen->sip};
  if (codecs_->chosenTelephoneEvent) params.telephoneEvent = codecs_->chosenTelephoneEvent->sip;
  core::Result<std::string> sipSdp = core::makeError("unset");
  if (sipOffer_) {
    params.direction = answerDirection(sipOffer_->audio->direction);
    sipSdp = sdp::writeSipAnswer(*sipOffer_, params);
  } else {
    sipSdp = sdp::writeSipOffer(params);
  }
  if (!sipSdp)
    return fail(500, "Server Internal Error", "Failed by error", "answer: " + sipSdp.error().message);
  sipSdpOut_ = *sipSdp;

  std::weak_ptr<SipCall*> weak = self_;
  MediaServices* ms = &context_.media;
  std::optional<sdp::SipAudio> remote;
  if (sipOffer_) remote = *sipOffer_->audio;
  post([ice = webrtc::ice::IceCredentials{read->ufrag, read->pwd}, hash = read->fingerprintHash,
        value = read->fingerprintValue, role, remote, payloads = codecs_->mapping(), weak,
        ms](MediaSide& side) {
    if (auto set = side.relay->setWebRtcRemote(ice, hash, value, role); !set) {
      ms->postToControl([weak, why = set.error().message] {
        if (auto self = weak.lock(); self && *self)
          (*self)->onMediaFailed("Failed by DTLS fingerprint error", why);
      });
      return;
    }
    if (remote) {
      const bool hold =
          remote->direction == sdp::Direction::kSendOnly || remote->direction == sdp::Direction::kInactive;
      side.relay->setSipRemote(hold ? std::string("0.0.0.0") : remote->address, remote->port,
                               remote->rtcpPort, remote->rtcpMux);
    }
    side.relay->setPayloads(payloads);
    side.relay->start();
  });
  sipAnswered_ = true;
  noAnswer_.cancel();
  if (session != nullptr) session->answer(sipSdpOut_);
  log().info("call {}: answered by the client, relaying {}", callId_, chosen->sip.name);
  return {};
}

void SipCall::onUasEvent(const sip::InviteSession::Event& event) {
  using Kind = sip::InviteSession::Event::Kind;
  if (ended_) return;
  switch (event.kind) {
    case Kind::kAnswered: {
      if (!sipOffer_) {
        // A delayed offer: the ACK carries the SIP side's answer to the offer in our 200.
        auto read = sdp::readSipSdp(event.sdp);
        // RFC 3264 §6.1: the answer takes its formats from our offer; one without our codec (or in SRTP)
        // leaves nothing to relay to the client, who was answered with that codec.
        const sdp::RtpCodec* same = nullptr;
        if (read && read->audio && read->audio->port != 0 && !read->audio->secure) {
          for (const sdp::RtpCodec& c : read->audio->codecs) {
            if (sameCodec(c, codecs_->chosen->sip)) {
              same = &c;
              break;
            }
          }
        }
        if (same == nullptr) {
          log().info("call {}: the ACK has no usable answer: {}", callId_,
                     read ? "no RTP/AVP audio with " + codecs_->chosen->sip.name : read.error().message);
          end("FAILED", "No common codecs");
          if (sip::InviteSession* s = sipSession()) s->hangup();
          return;
        }
        const sdp::SipAudio& audio = *read->audio;
        codecs_->chosen->sip.payloadType = same->payloadType;
        if (codecs_->chosenTelephoneEvent) {
          if (audio.telephoneEvent) {
            codecs_->chosenTelephoneEvent->sip.payloadType = audio.telephoneEvent->payloadType;
          } else {
            codecs_->chosenTelephoneEvent.reset();
          }
        }
        post([address = audio.address, port = audio.port, rtcp = audio.rtcpPort, mux = audio.rtcpMux,
              payloads = codecs_->mapping()](MediaSide& side) {
          side.relay->setSipRemote(address, port, rtcp, mux);
          side.relay->setPayloads(payloads);
        });
      }
      emitStatus("ESTABLISHED");
      return;
    }
    case Kind::kCancelled:
    case Kind::kEnded:
      end("FINISH", "Normal call clearing");
      return;
    case Kind::kFailed:
      end("FAILED", failureInfo(event.status, event.reason), event.status);
      return;
    case Kind::kRemoteSdp:
      onAckAnswer(event.sdp);
      return;
    default:
      return;
  }
}

void SipCall::hangup(const std::string& info) {
  const int status = context_.services.calls.declineStatus;
  endFromOurSide(info, status, status == 603 ? "Decline" : "Busy Here");
}

void SipCall::terminate(const std::string& info) {
  endFromOurSide(info, 480, "Temporarily Unavailable");
}

void SipCall::endFromOurSide(const std::string& info, int rejectStatus, const char* rejectReason) {
  if (ended_) return;
  // Ended first: what the SIP session reports from inside reject() or hangup() is then ours, not news.
  cancelled_ = true;
  end("FINISH", info);
  if (sip::InviteSession* session = sipSession()) {
    if (incoming_ && !sipAnswered_) {
      session->reject(rejectStatus, rejectReason);
    } else {
      session->hangup();
    }
  }
}

}  // namespace callgate::gateway
