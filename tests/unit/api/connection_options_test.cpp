#include "api/connection_options.hpp"

#include <gtest/gtest.h>

namespace callgate::api {
namespace {

using nlohmann::json;

json webSdkConnection() {
  // What WebSDK 2.0.276 sends (flashphoner-core.js createWS/onopen with sipOptions).
  return json{{"appKey", "defaultApp"},
              {"mediaProviders", json::array({"WebRTC", "MSE", "WSPlayer"})},
              {"keepAlive", false},
              {"authToken", nullptr},
              {"clientVersion", "2.0"},
              {"clientOSVersion", "5.0 (X11)"},
              {"clientBrowserVersion", "Mozilla/5.0"},
              {"msePacketizationVersion", 2},
              {"custom", json::object()},
              {"sipLogin", "3000"},
              {"sipAuthenticationName", "3000"},
              {"sipPassword", "1234"},
              {"sipDomain", "127.0.0.1"},
              {"sipOutboundProxy", "127.0.0.1"},
              {"sipPort", "5060"},
              {"sipRegisterRequired", true}};
}

TEST(ConnectionOptions, WebSdkConnection) {
  auto options = parseConnectionOptions(webSdkConnection());
  ASSERT_TRUE(options) << options.error().message;
  ASSERT_TRUE(options->account);
  EXPECT_EQ(options->account->user, "3000");
  EXPECT_EQ(options->account->authName, "3000");
  EXPECT_EQ(options->account->password, "1234");
  EXPECT_EQ(options->account->domain, "127.0.0.1");
  EXPECT_EQ(options->account->outboundProxy, "127.0.0.1");
  EXPECT_EQ(options->account->port, 5060);
  EXPECT_TRUE(options->account->registerRequired);
  EXPECT_FALSE(options->keepAlive);
  // getUserData echoes the fields, never the password.
  EXPECT_FALSE(options->userData.contains("sipPassword"));
  EXPECT_EQ(options->userData["sipLogin"], "3000");
  EXPECT_EQ(options->userData["msePacketizationVersion"], 2);
}

TEST(ConnectionOptions, PortAsStringOrNumber) {
  json c = webSdkConnection();
  c["sipPort"] = 5070;  // mobile SDKs
  auto number = parseConnectionOptions(c);
  ASSERT_TRUE(number) << number.error().message;
  EXPECT_EQ(number->account->port, 5070);
  c["sipPort"] = "";
  auto none = parseConnectionOptions(c);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->account->port, 0);
  c.erase("sipPort");
  EXPECT_TRUE(parseConnectionOptions(c));
}

TEST(ConnectionOptions, NullAndMissingArgument) {
  auto none = parseConnectionOptions(nullptr);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->account);
  auto noSip = parseConnectionOptions(json{{"appKey", "defaultApp"}});
  ASSERT_TRUE(noSip);
  EXPECT_FALSE(noSip->account);
}

TEST(ConnectionOptions, LoginWithSpacesIsEscaped) {
  // PROTOCOL.md §2, the WCS trap: escaped unambiguously (RFC 3261 §25.1).
  json c = webSdkConnection();
  c["sipLogin"] = "Ralf C12441@host.com";
  c.erase("sipAuthenticationName");
  auto options = parseConnectionOptions(c);
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->account->user, "Ralf%20C12441%40host.com");
  EXPECT_EQ(options->account->authName, "Ralf C12441@host.com");
  EXPECT_EQ(options->account->login, "Ralf C12441@host.com");
}

TEST(ConnectionOptions, RefusalsNameTheFieldAndTheRule) {
  struct Case {
    const char* field;
    json value;
    const char* info;
  };
  const Case cases[] = {
      {"sipLogin", "<3000>", "sipLogin"},
      {"sipAuthenticationName", "<3000>", "sipAuthenticationName"},
      {"sipPort", true,
       "connection.sipPort must be a port number 1-65535 (a string of digits or a number), not a boolean"},
      {"sipPort", "70000", "connection.sipPort must be a port number"},
      {"sipPort", 0, "connection.sipPort must be a port number"},
      {"sipPort", "50x", "connection.sipPort must be a port number"},
      {"sipRegisterRequired", "yes", "connection.sipRegisterRequired must be true or false, not a string"},
      {"keepAlive", 1, "connection.keepAlive must be true or false, not a number"},
      {"sipLogin", 3000, "connection.sipLogin must be a string, not a number"},
      {"sipDomain", "", "connection.sipDomain is required with sipLogin"},
      {"sipDomain", "exa mple.com", "connection.sipDomain must be a host name or IP address"},
      {"sipDomain", "bob@example.com", "connection.sipDomain must be a host name or IP address"},
      {"sipDomain", "example.com:5060", "connection.sipDomain must be a host name or IP address"},
      {"sipOutboundProxy", "proxy;lr", "connection.sipOutboundProxy must be a host name or IP address"},
      {"sipPassword", json::array(), "connection.sipPassword must be a string, not an array"},
      {"sipLogin", std::string(300, 'a'), "connection.sipLogin must be at most 256 bytes long"},
  };
  for (const Case& c : cases) {
    json connection = webSdkConnection();
    connection[c.field] = c.value;
    auto options = parseConnectionOptions(connection);
    ASSERT_FALSE(options) << c.field << "=" << c.value.dump();
    EXPECT_NE(options.error().message.find(c.info), std::string::npos)
        << c.field << "=" << c.value.dump() << " -> " << options.error().message;
  }
  json noLogin = webSdkConnection();
  noLogin.erase("sipLogin");
  auto refused = parseConnectionOptions(noLogin);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("sipLogin is required when sipRegisterRequired is true"),
            std::string::npos);
  EXPECT_FALSE(parseConnectionOptions(json::array()));
}

TEST(ConnectionOptions, AngleBracketsNameTheRfcRule) {
  json c = webSdkConnection();
  c["sipLogin"] = "<3000>";
  auto options = parseConnectionOptions(c);
  ASSERT_FALSE(options);
  EXPECT_NE(options.error().message.find("RFC 3261"), std::string::npos) << options.error().message;
}

}  // namespace
}  // namespace callgate::api
