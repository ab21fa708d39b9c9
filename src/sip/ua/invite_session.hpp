// One INVITE session (RFC 3261 §13-§15) on top of the transaction layer, either side:
//
//   UAC: start() ──► INVITE ──► 1xx (provisional, early media SDP; PRACK when reliable) ──► 2xx: ACK,
//                          │                                         answered ──► ... ──► ended
//                          └──► 401/407: INVITE again with credentials      └─► 3xx-6xx / timeout: failed
//   UAS: fromInvite() ──► ring() 180/183 (reliable when the INVITE requires 100rel) ──► answer() 200,
//                     │           retransmitted until the ACK: answered ──► ended
//                     └──► reject() / CANCEL from the peer (487): failed / cancelled
//
// In the dialog either side hangs up (BYE), answers re-INVITE/UPDATE offers through the owner, answers
// OPTIONS, INFO and MESSAGE, sends re-INVITEs and UPDATEs (hold is an offer whose SDP the caller made
// sendonly), transfers (REFER, RFC 3515) and is transferred (REFER answered 202, progress sent as NOTIFY
// message/sipfrag). Every request the session sends in the dialog answers 401/407 with the credentials
// (RFC 3261 §22.2). Extensions:
//  - 100rel (RFC 3262): supported as UAC (PRACK for each reliable 1xx, in order); used as UAS when the
//    INVITE requires it (RSeq, retransmission at T1 doubling until the PRACK, 5xx after 64*T1 without it).
//  - timer (RFC 4028): a Session-Expires of the peer is answered (422 below Min-SE), the refresher refreshes
//    at half the interval (UPDATE without body when the peer allows UPDATE, else re-INVITE with the same
//    SDP) and the other side hangs up with BYE when no refresh came (§10).
// SDP stays an opaque body (Content-Type application/sdp): the media layer decides what is in it.
//
// Sans-I/O: requests go out through the TransactionLayer, ACKs for 2xx straight to the TransportSink (RFC
// 3261 §17.1.1.3 leaves them to the TU), time comes from the TimerQueue.
//
// What the owner routes to a session (it owns the sessions, keyed by Call-ID and local tag):
//  - every request the layer's ServerTransactionEvents::onRequest passes whose dialogKey() (Call-ID, To tag)
//    is the session's: call onRequest(). A CANCEL has no To tag: find the session whose inviteTransaction()
//    equals TransactionLayer::findInviteServerTransaction(cancel) and call onRequest() with the CANCEL.
//  - every ACK of ServerTransactionEvents::onAck whose dialogKey() is the session's: call onAck().
//  - an INVITE without To tag that starts a call: InviteSession::fromInvite().
// A request for no session gets 481 from the owner (RFC 3261 §12.2.2).
// Once the session reported its last event (finished()), the owner destroys it, but never inside a callback
// of the session: destruction is posted to the loop (STYLE.md). Callbacks to a destroyed session are ignored.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/random.hpp"
#include "core/result.hpp"
#include "core/timer_queue.hpp"
#include "sip/auth/authenticator.hpp"
#include "sip/message/message.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/transport/endpoint.hpp"
#include "sip/ua/dialog.hpp"

namespace callgate::sip {

struct InviteSessionConfig {
  std::string localUri;  // From of a UAC (name-addr without tag), "<sip:3000@example.com>"
  std::string
      contact;         // Contact: a name-addr unique to the client session, "<sip:3000@192.0.2.1:5060;cg=k1>"
  std::string sentBy;  // Via sent-by: this UA's host:port
  auth::UserCredentials credentials;  // answers 401/407 to the INVITE (UAC)
  std::string userAgent;              // User-Agent of requests and Server of responses; empty: none
  TransactionTimers timers;           // the layer's T1/T2: they pace the 2xx retransmissions (§13.3.1.4)
  // UAC: CANCEL when no final response came this long after the INVITE; 0: never.
  std::chrono::seconds noAnswerTimeout{60};
  int declineStatus = 603;  // UAS: hangup() before answer() rejects with this (486 Busy, 603 Decline)
  // UAC: Route header values preloaded on the INVITE and its CANCEL, the outbound proxy first (RFC 3261
  // §8.1.2), e.g. "<sip:proxy.example.com;lr>". The dialog's own route set comes from Record-Route.
  std::vector<std::string> routeSet;
  // RFC 4028 §5: a Session-Expires below this is answered 422 with this Min-SE (never below 90).
  std::chrono::seconds minSessionExpires{90};
  // Our REFER (transfer()): the final NOTIFY must come within this, else the transfer failed (408).
  std::chrono::seconds transferTimeout{120};
};

// What the session needs from its surroundings; everything must outlive the session.
struct InviteSessionContext {
  TransactionLayer& transactions;
  TransportSink& sink;  // ACK for 2xx (RFC 3261 §13.2.2.4)
  core::TimerQueue& timers;
  core::RandomSource& random;
};

class InviteSession {
 public:
  enum class Role : uint8_t { kUac, kUas };
  enum class State : uint8_t { kIdle, kCalling, kEarly, kConfirmed, kTerminating, kTerminated };

  struct Event {
    enum class Kind : uint8_t {
      kProvisional,     // UAC: a 101-199 response; `sdp` set for early media (183/180 with SDP)
      kAnswered,        // UAC: a 2xx was ACKed (`sdp` its answer). UAS: the ACK came (`sdp` its body: the
                        // answer to a delayed offer)
      kFailed,          // the call never got up: final status (408 timeout, 503 transport, 487 cancelled)
      kCancelled,       // UAS: the peer sent CANCEL, the INVITE got 487
      kEnded,           // BYE from either side, or the dialog died (481/408 to an in-dialog request)
      kReinviteResult,  // our re-INVITE's final status; `sdp` the answer of a 2xx
      kRemoteSdp,       // the ACK of a re-INVITE we answered with an offer carried the answer in `sdp`
      kInfo,            // INFO in the dialog: `sdp` holds its body, `contentType` its type
      kMessage,         // MESSAGE in the dialog (RFC 3428), answered 200: body in `sdp`, `contentType`
      kUpdateResult,    // our UPDATE's final status; `sdp` the answer of a 2xx
      kTransfer,        // our REFER: its refusal (status >= 300), or the status line of each NOTIFY's
                        // sipfrag (100 Trying, 180, 200 OK, 486 ...); final once status >= 200
      kSessionTimer,    // a session timer (RFC 4028) was agreed or changed: `status` is its interval in
                        // seconds, `reason` the refresher ("uac": the caller of the call, "uas")
    };
    Kind kind = Kind::kFailed;
    int status = 0;
    std::string reason;
    std::string sdp;
    std::string contentType;
  };

  struct Owner {
    // Every event; the callee must not destroy the session inside the call.
    std::function<void(const Event&)> onEvent;
    // A re-INVITE or UPDATE from the peer carries `offer` (empty: the peer wants our offer); return the
    // SDP to put in the 200, or nullopt to refuse with 488 (ARCHITECTURE.md §4: the gateway answers).
    std::function<std::optional<std::string>(std::string_view offer)> onOffer;
    // Where a request to `uri` (the dialog's next hop) goes, numeric only. Unset or nullopt: the UAC's
    // next hop of start(), or for a UAS the address the INVITE came from.
    std::function<std::optional<Endpoint>(std::string_view uri)> resolve;
    // The peer asks us to call `referTo` (REFER in the confirmed dialog, RFC 3515): true accepts it (202,
    // then a NOTIFY "100 Trying"; report the new call's progress with notifyTransfer(), not from inside
    // this call), false or unset declines it with 603.
    std::function<bool(std::string_view referTo)> onRefer;
  };

  struct CallParams {
    std::string requestUri;  // "sip:bob@example.com"
    std::string to;          // To: a name-addr or URI without tag
    Endpoint nextHop;        // the proxy or peer, resolved (RFC 3263)
    std::string offerSdp;    // empty: delayed offer, the 2xx brings the offer and the ACK the answer
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers (inviteParameters)
  };

  // UAC. Nothing is sent before start().
  InviteSession(InviteSessionContext context, InviteSessionConfig config, Owner owner);
  // UAS: from a received INVITE without To tag (transaction `id`). A bad INVITE is answered here (400 for a
  // bad Contact, 415 for a body that is not SDP, 420 for Require) and the error returned.
  static core::Result<std::unique_ptr<InviteSession>> fromInvite(InviteSessionContext context,
                                                                 InviteSessionConfig config, Owner owner,
                                                                 TransactionId id, const Message& invite,
                                                                 const Endpoint& from);
  ~InviteSession();
  InviteSession(const InviteSession&) = delete;
  InviteSession& operator=(const InviteSession&) = delete;

  // UAC: sends the INVITE. Refused (nothing sent) for a second call or an extra header that is not a token
  // name with a CR/LF-free value, or one the session writes itself.
  core::Result<void> start(CallParams params);
  // UAC before the answer: CANCEL (RFC 3261 §9.1), once a provisional came; failed 487 follows.
  void cancel();
  // UAS before answer(): 180 Ringing, or 183 Session Progress with early-media SDP.
  void ring(std::string_view earlySdp = {});
  // UAS: 200 OK with the SDP (the answer, or the offer when the INVITE had none).
  void answer(std::string_view sdp);
  // UAS before answer(): a final 3xx-6xx (486 busy, 603 decline); failed follows at once.
  void reject(int status, std::string_view reason = {});
  // Ends the call in any state: CANCEL or reject before the answer, BYE after it (with a CANCEL for our
  // re-INVITE still under way, RFC 3261 §9.1).
  void hangup();
  // In the confirmed dialog: a re-INVITE with `sdp` (hold: the caller's SDP says a=sendonly). False when
  // one is already under way or the dialog is not confirmed.
  bool sendReinvite(std::string sdp);
  // In the confirmed dialog: an UPDATE (RFC 3311) with `sdp`; same rules as sendReinvite().
  bool sendUpdate(std::string sdp);
  // In the confirmed dialog: REFER the peer to `referTo` (a SIP URI, RFC 3515). Progress comes as kTransfer
  // events. False when a transfer is already under way, the dialog is not confirmed, or the URI has a CR,
  // LF, NUL or angle bracket.
  bool transfer(std::string_view referTo);
  // After onRefer accepted: the progress of the call made for the transfer, sent as NOTIFY sipfrag ("SIP/2.0
  // 180 Ringing"); a status >= 200 ends the subscription. False when no accepted REFER is active.
  bool notifyTransfer(int status, std::string_view reason = {});

  // Routed by the owner (see above).
  void onRequest(TransactionId id, const Message& request, const Endpoint& from);
  void onAck(const Message& ack, const Endpoint& from);

  // The owner's routing key of an incoming request or ACK: Call-ID and To tag (our local tag), From tag.
  static DialogId dialogKey(const Message& request);
  // Call-ID and our tag (remoteTag empty until known).
  DialogId key() const;
  TransactionId inviteTransaction() const { return inviteTransaction_; }
  Role role() const { return role_; }
  State state() const { return state_; }
  bool finished() const { return state_ == State::kTerminated; }
  const std::string& callId() const { return callId_; }
  const std::string& remoteSdp() const { return remoteSdp_; }  // the last SDP the peer sent
  // The session timer in force (RFC 4028): its interval, 0 when none.
  std::chrono::seconds sessionInterval() const {
    return std::chrono::seconds(sessionTimer_ ? sessionTimer_->seconds : 0);
  }

 private:
  // A 2xx we sent, retransmitted until its ACK (RFC 3261 §13.3.1.4).
  struct Pending2xx {
    TransactionId id = 0;
    uint32_t sequence = 0;
    Message response;
    core::Duration interval{};
    bool initial = false;  // the answer of the initial INVITE, else of a re-INVITE
  };
  // UAC: a To tag that answered our INVITE with a 2xx, and the ACK it got (re-sent for retransmissions).
  struct Fork {
    std::string tag;
    Endpoint to;
    std::string ack;
  };
  // UAC: an early dialog a reliable provisional response made (RFC 3262 §4), for its PRACKs; the 2xx of
  // the same To tag confirms it, so the CSeq numbers the PRACKs used stay used.
  struct EarlyDialog {
    std::string tag;
    Dialog dialog;
    uint32_t rseq = 0;  // the last RSeq PRACKed
  };
  // UAS: our reliable provisional response waiting for its PRACK (RFC 3262 §3).
  struct Reliable {
    Message response;
    uint32_t rseq = 0;
    core::Duration interval{};
  };
  // RFC 4028: the session timer in force.
  struct SessionTimer {
    uint32_t seconds = 0;
    bool weRefresh = false;
  };
  // An offer we send in the dialog: re-INVITE or UPDATE; `refresh` for a session refresh (RFC 4028 §10),
  // whose success is not reported.
  struct Offer {
    std::string method;
    std::string sdp;
    bool refresh = false;
  };
  // Our re-INVITE under way, shared with the events of its client transaction: when the session ends
  // before its final response, a CANCEL ends it (RFC 3261 §9.1: the INVITE transaction is then destroyed
  // 64*T1 later at most; Proceeding has no Timer B). The CANCEL waits for a provisional response, which may
  // come after the session is gone.
  struct ReinviteCancel {
    Message cancel;  // built from the re-INVITE, owned
    Endpoint to;
    bool provisional = false;  // a 1xx came: the CANCEL may be sent
    bool wanted = false;       // the session ended with the re-INVITE under way
    bool done = false;         // the CANCEL went out, or the re-INVITE got a final response or an error
  };
  using ResponseHandler = std::function<void(InviteSession&, const Message&)>;
  using ErrorHandler = std::function<void(InviteSession&, TransactionError)>;
  // A request we send in the dialog, kept so a 401/407 can re-send it with credentials (CSeq plus one, a
  // new branch). The handlers see every response but the answered challenges.
  struct OutRequest {
    std::string method;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string contentType;
    std::string body;
    ResponseHandler onResponse;
    ErrorHandler onError;
    std::unique_ptr<auth::Authenticator> authenticator;  // made at the first challenge
  };

  void sendInvite(const std::vector<auth::AuthorizationHeader>& credentials);
  void onInviteResponse(const Message& response);
  void onInviteError(TransactionError error);
  void on2xx(const Message& response);
  void sendCancel();
  // Asks for the CANCEL of our re-INVITE under way, if any (the session ends).
  void cancelReinvite();
  static void sendReinviteCancel(TransactionLayer& layer, ReinviteCancel& reinvite);
  void sendAck(const Dialog& dialog, uint32_t sequence, std::string_view body, Fork& fork);
  void sendBye(Dialog& dialog, bool forMainDialog);
  void sendInDialog(std::shared_ptr<OutRequest> out,
                    const std::vector<auth::AuthorizationHeader>& credentials);
  void onInDialogResponse(const std::shared_ptr<OutRequest>& out, const std::string& requestUri,
                          const Message& response);
  bool sendOffer(Offer offer);
  void sendOfferNow(const Offer& offer);
  void onOfferResponse(const Message& response, const Offer& offer);
  void onOfferFailed(const Offer& offer, int status, std::string reason);
  bool prackReliable(const Message& response);
  void sendReliable(std::string_view sdp);
  void retransmitReliable();
  void onPrack(TransactionId id, const Message& request);
  void onRefer(TransactionId id, const Message& request);
  void onNotify(TransactionId id, const Message& request);
  void sendTransferNotify(int status, std::string_view reason, bool final);
  // RFC 4028 §9: the session timer our 2xx to `request` agrees to (nullopt: none); an error with code 422
  // (Session-Expires below our Min-SE) or 400 (malformed) to answer the request with.
  core::Result<std::optional<SessionTimer>> sessionTimerFor(const Message& request) const;
  // Our 2xx to `request` under `timer`: Session-Expires, and Require: timer when the requester supports it.
  void addSessionTimerAnswer(const Message& request, const std::optional<SessionTimer>& timer,
                             Message& response) const;
  // Puts `timer` in force (or none); `report`: a kSessionTimer event when it changed.
  void applySessionTimer(std::optional<SessionTimer> timer, bool report = true);
  void onSessionTimer();
  // The Session-Expires and Supported headers of a refresh or other offer we send while a timer runs.
  void addSessionTimerHeaders(std::vector<std::pair<std::string, std::string>>& headers) const;
  void onIncomingInvite(TransactionId id, const Message& request);
  void onIncomingOffer(TransactionId id, const Message& request);
  // Sends the 2xx of the initial INVITE (answer(), or after the PRACK it waited for).
  void sendAnswer(std::string_view sdp);
  void onCancel(TransactionId id, const Message& cancel);
  void start2xx(TransactionId id, uint32_t sequence, Message response, bool initial);
  void retransmit2xx();
  void noAck();
  Message makeResponse(const Message& request, int status, std::string_view reason) const;
  std::string newVia(const Endpoint& to);
  Endpoint nextHopOf(const Dialog& dialog) const;
  void emit(Event::Kind kind, int status, std::string reason, std::string sdp = {}, std::string type = {});
  void terminate(Event::Kind kind, int status, std::string reason);
  // Client events that reach this session only while it exists.
  ClientTransactionEvents clientEvents(ResponseHandler onResponse, ErrorHandler onError) const;

  InviteSessionContext context_;
  InviteSessionConfig config_;
  Owner owner_;
  Role role_;
  State state_ = State::kIdle;
  auth::Authenticator authenticator_;
  std::shared_ptr<InviteSession*> self_;  // callbacks hold a weak_ptr: a destroyed session is not called
  std::string callId_;
  std::string localTag_;
  CallParams params_;  // UAC
  Message invite_;     // the INVITE sent or received, owned
  Endpoint inviteFrom_;
  TransactionId inviteTransaction_ = 0;
  uint32_t inviteSequence_ = 0;
  bool provisionalSeen_ = false;
  bool cancelWanted_ = false;
  bool cancelSent_ = false;
  bool finalSent_ = false;  // UAS: the INVITE got its final response
  bool byeAfterAck_ = false;
  std::string cancelReason_;
  std::optional<Dialog> dialog_;
  std::vector<Fork> forks_;  // UAC: the To tags that answered with 2xx and the ACK each got
  std::string ackBytes_;     // UAC: the ACK of the winning 2xx, re-sent for its retransmissions
  std::string remoteSdp_;
  std::unique_ptr<Pending2xx> pending2xx_;  // UAS: a 2xx retransmitted until its ACK
  bool reinviteOut_ = false;  // our re-INVITE or UPDATE offer is under way (or waits for its 491 retry)
  bool reinviteIn_ = false;   // a re-INVITE from the peer waits for its ACK
  Fork reinviteAck_;          // the ACK of our last re-INVITE's 2xx
  std::shared_ptr<ReinviteCancel> reinviteCancel_;  // our last re-INVITE (its transaction's events share it)
  uint32_t reinviteAckSequence_ = 0;
  std::string localSdp_;           // the last SDP we sent (offer or answer): a refresh re-INVITE repeats it
  bool peerAllowsUpdate_ = false;  // the peer's Allow lists UPDATE (session refreshes use it)
  bool peerSupportsTimer_ = false;
  std::vector<EarlyDialog> earlyDialogs_;  // UAC: early dialogs of reliable provisional responses
  bool peerRequires100rel_ = false;        // UAS: the INVITE had Require: 100rel
  uint32_t nextRseq_ = 0;
  std::optional<Reliable> unacked_;            // UAS: the reliable provisional waiting for its PRACK
  std::optional<std::string> queuedRing_;      // UAS: a ring() made while one was unacknowledged
  std::optional<std::string> deferredAnswer_;  // UAS: answer() made while one was unacknowledged
  std::optional<SessionTimer> sessionTimer_;   // RFC 4028, in force
  std::optional<SessionTimer> offeredTimer_;   // UAS: agreed from the INVITE, in force once answered
  bool referOut_ = false;                      // our REFER waits for its final NOTIFY
  bool referIn_ = false;   // an accepted REFER of the peer whose subscription we have not ended
  std::string endReason_;  // why our BYE ends the session, when not a plain hang-up
  core::Timer noAnswerTimer_;
  core::Timer retransmitTimer_;
  core::Timer giveUpTimer_;
  core::Timer glareTimer_;
  core::Timer reliableTimer_;   // UAS: retransmits the reliable provisional
  core::Timer reliableGiveUp_;  // UAS: 64*T1 without the PRACK
  core::Timer sessionTimerTimer_;
  core::Timer referTimer_;
};

std::string_view inviteSessionStateName(InviteSession::State state);
// "provisional", "answered", "failed", "cancelled", "ended", "reinvite", "remote-sdp", "info", "message",
// "update", "transfer", "session-timer".
std::string_view inviteEventName(InviteSession::Event::Kind kind);

}  // namespace callgate::sip
