// One INVITE session (RFC 3261 §13-§15) on top of the transaction layer, either side:
//
//   UAC: start() ──► INVITE ──► 1xx (provisional, early media SDP) ──► 2xx: ACK, answered ──► ... ──► ended
//                          └──► 401/407: INVITE again with credentials      └─► 3xx-6xx / timeout: failed
//   UAS: fromInvite() ──► ring() 180/183 ──► answer() 200, retransmitted until the ACK: answered ──► ended
//                     └──► reject() / CANCEL from the peer (487): failed / cancelled
//
// In the dialog either side hangs up (BYE), answers re-INVITE/UPDATE offers through the owner, answers
// OPTIONS and INFO, and sends re-INVITEs (hold is a re-INVITE whose SDP the caller made sendonly). SDP stays
// an opaque body (Content-Type application/sdp): the media layer decides what is in it.
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
  // Ends the call in any state: CANCEL or reject before the answer, BYE after it.
  void hangup();
  // In the confirmed dialog: a re-INVITE with `sdp` (hold: the caller's SDP says a=sendonly). False when
  // one is already under way or the dialog is not confirmed.
  bool sendReinvite(std::string sdp);

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
  using ResponseHandler = std::function<void(InviteSession&, const Message&)>;
  using ErrorHandler = std::function<void(InviteSession&, TransactionError)>;

  void sendInvite(const std::vector<auth::AuthorizationHeader>& credentials);
  void onInviteResponse(const Message& response);
  void onInviteError(TransactionError error);
  void on2xx(const Message& response);
  void sendCancel();
  void sendAck(const Dialog& dialog, uint32_t sequence, std::string_view body, Fork& fork);
  void sendBye(Dialog& dialog, bool forMainDialog);
  void sendReinviteNow(const std::string& sdp);
  void onReinviteResponse(const Message& response, uint32_t sequence, const std::string& sdp);
  void onIncomingInvite(TransactionId id, const Message& request);
  void onIncomingOffer(TransactionId id, const Message& request);
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
  bool reinviteOut_ = false;                // our re-INVITE is under way (or waits for its 491 retry)
  bool reinviteIn_ = false;                 // a re-INVITE from the peer waits for its ACK
  Fork reinviteAck_;                        // the ACK of our last re-INVITE's 2xx
  uint32_t reinviteAckSequence_ = 0;
  core::Timer noAnswerTimer_;
  core::Timer retransmitTimer_;
  core::Timer giveUpTimer_;
  core::Timer glareTimer_;
};

std::string_view inviteSessionStateName(InviteSession::State state);

}  // namespace callgate::sip
