// A client's call to or from the SIP world (ARCHITECTURE.md §4): a media-anchoring B2BUA leg pair. The client
// leg is the WebSocket call object and its WebRTC peer connection; the SIP leg is an INVITE session of the
// gateway's user agent; a media::RelaySession on a media thread relays the audio between them. Each leg has
// its own offer/answer; the client sees exactly one setRemoteSDP (PROTOCOL.md §3) and nothing of the SIP
// side's renegotiation.
//
//   outgoing: call(offer) ─► TRYING ─► (media thread) relay ─► INVITE (codecs both sides can relay)
//             1xx ─► RING / RING_MEDIA (setRemoteSDP at the first SIP SDP) / SESSION_PROGRESS
//             2xx ─► (setRemoteSDP if not yet) ESTABLISHED;  486/600 ─► BUSY;  other ─► FAILED sipStatus
//   incoming: INVITE ─► (media thread) relay ─► setRemoteSDP(offer), notifyIncomingCall RING, 180
//             answer(sdp) ─► 200 OK ─► ACK ─► ESTABLISHED;  hangup before answer ─► 486/603 ─► FINISH
//   either:   BYE/CANCEL from SIP, client hangup, socket lost ─► FINISH;  ICE/DTLS/RTP failure ─► BYE, FAILED
//
// Single-threaded on the control loop; the relay lives on its media thread and is reached by posts.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "core/timer_queue.hpp"
#include "gateway/call.hpp"
#include "gateway/media_services.hpp"
#include "gateway/sip_account.hpp"
#include "sdp/sip_sdp.hpp"
#include "sdp/webrtc_offer.hpp"
#include "sip/ua/user_agent.hpp"

namespace callgate::media {
struct RelayLocal;
}  // namespace callgate::media

namespace callgate::gateway {

struct SessionServices;

// Where an outgoing call goes: a SIP server (located by RFC 3263), or this gateway's own SIP listener for a
// call between two of its sessions (ARCHITECTURE.md §1, flow 3).
struct SipCallRoute {
  std::string requestUri;                // "sip:3001@example.com", or "sip:3001@gw:5060;cg=token" (local)
  std::string to;                        // To: "<sip:3001@example.com>"
  std::string locate;                    // the URI to locate (RFC 3263); empty: `nextHop` is known
  std::optional<sip::Endpoint> nextHop;  // set for a local call
  std::vector<std::string> routeSet;     // the outbound proxy, "<sip:proxy;lr>"
};

class SipCall final : public Call {
 public:
  // What the call needs from its session; all of it outlives the call.
  struct Context {
    SessionServices& services;
    MediaServices& media;
    SipAccount account;   // empty for a session without one (calls between sessions only)
    std::string contact;  // the session's Contact, "<sip:3000@gw:5060;cg=token>"
  };

  SipCall(Context context, nlohmann::json call, Listener listener);
  ~SipCall() override;
  SipCall(const SipCall&) = delete;
  SipCall& operator=(const SipCall&) = delete;

  // Outgoing: reads the client's offer and starts the call toward `route`. An error names the field and the
  // rule; the call has then ended FAILED.
  core::Result<void> startOutgoing(const std::string& offerSdp, SipCallRoute route);

  // Incoming: the UA's setup for a new INVITE (UserAgent::Events::onInvite). `invite` is read here; the
  // session comes through IncomingCall::onCreated.
  sip::UserAgent::IncomingCall acceptIncoming(sip::UserAgent::SessionId id, const sip::Message& invite);

  // Before an incoming call is answered the client's hangup declines it (sip.decline_status); a session that
  // ends instead (socket lost, gateway stopping) answers 480: nobody declined, the callee is gone.
  void hangup(const std::string& info = "Normal call clearing") override;
  void terminate(const std::string& info) override;
  core::Result<void> answer(const std::string& answerSdp) override;

  const std::string& callId() const override { return callId_; }
  bool ended() const override { return ended_; }
  const std::string& status() const override { return status_; }
  bool incoming() const { return incoming_; }

 private:
  struct MediaSide;
  struct Codecs;  // what the SIP leg may carry, by the client's payload types

  void emitStatus(const std::string& status, const std::string& info = {}, int sipStatus = 0);
  void end(const std::string& status, const std::string& info, int sipStatus = 0);
  // hangup() and terminate(): FINISH, then BYE, CANCEL, or for an unanswered incoming call this rejection.
  void endFromOurSide(const std::string& info, int rejectStatus, const char* rejectReason);
  // Rejects an incoming INVITE the client was never told of, counted in callgate_incoming_refused_total.
  void refuseUnannounced(sip::InviteSession& session, int sipStatus, const std::string& reason);
  // Creates the relay on a media thread; `then` runs on the loop with its local facts (or an error).
  void createMedia(std::function<void(SipCall&, core::Result<media::RelayLocal>)> then);
  void post(std::function<void(MediaSide&)> fn);
  void onMediaFailed(const std::string& info, const std::string& reason);
  sip::InviteSession* sipSession();
  sip::InviteSessionConfig sessionConfig() const;

  // Outgoing.
  void onOutgoingMedia(core::Result<media::RelayLocal> local);
  void sendInvite(const sip::Endpoint& nextHop);
  void onUacEvent(const sip::InviteSession::Event& event);
  // The SIP side's SDP (183 or 2xx): the first one answers the client; later ones move the SIP side only.
  core::Result<void> onSipAnswer(const std::string& sdp);
  // A re-INVITE or UPDATE of the SIP side (empty: it wants our offer): our SDP, or nullopt for 488.
  std::optional<std::string> onSipOffer(std::string_view offer);
  // The ACK of such a re-INVITE without SDP: the SIP side's answer to our offer in the 200.
  void onAckAnswer(const std::string& sdp);

  // Incoming.
  void onIncomingCreated(sip::InviteSession& session);
  void onIncomingMedia(core::Result<media::RelayLocal> local);
  void onUasEvent(const sip::InviteSession::Event& event);
  void onNoAnswer();

  Context context_;
  nlohmann::json call_;
  std::string callId_;
  Listener listener_;
  std::string status_ = "PENDING";
  bool ended_ = false;
  bool incoming_ = false;
  std::string info_;
  SipCallRoute route_;

  // The client leg.
  std::optional<sdp::WebRtcOffer> clientOffer_;  // outgoing
  size_t audioLine_ = 0;                         // the client offer's audio m-line
  std::unique_ptr<Codecs> codecs_;
  bool remoteSdpSent_ = false;

  // The SIP leg.
  sip::UserAgent::SessionId sipId_ = 0;
  std::optional<sdp::SipSdp> sipOffer_;  // incoming with an offer
  bool sipAnswered_ = false;             // outgoing: a 2xx came; incoming: we sent the 200
  bool cancelled_ = false;               // we asked the SIP leg to end
  std::string sipSdpOut_;                // our SDP to the SIP side
  uint64_t sipSessionId_ = 0;            // its o= session id
  std::vector<std::pair<std::string, std::string>> inviteHeaders_;
  std::optional<std::pair<int, std::string>> incomingProblem_;  // the INVITE is refused with this
  uint64_t sdpVersion_ = 1;
  core::Timer noAnswer_;

  // The media.
  net::MediaThread* thread_ = nullptr;
  std::shared_ptr<MediaSide> side_;  // touched only on thread_
  std::unique_ptr<media::RelayLocal> local_;
  std::shared_ptr<SipCall*> self_;  // asynchronous reports hold a weak_ptr
};

}  // namespace callgate::gateway
