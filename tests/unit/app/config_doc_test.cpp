// The committed reference and default file are exactly what the schema generates, and they describe it fully.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "app/config.hpp"
#include "app/config_doc.hpp"
#include "app/config_schema.hpp"

namespace callgate::app {
namespace {

std::string readSourceFile(const std::string& relative) {
  std::ifstream file(std::string(CALLGATE_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(ConfigDoc, CommittedReferenceMatchesTheSchema) {
  EXPECT_EQ(readSourceFile("docs/CONFIG.md"), configReferenceMarkdown())
      << "docs/CONFIG.md is stale: regenerate it with `callgate --print-config-doc > docs/CONFIG.md`";
}

TEST(ConfigDoc, CommittedDefaultFileMatchesTheSchema) {
  EXPECT_EQ(readSourceFile("config/callgate.toml"), defaultConfigToml())
      << "config/callgate.toml is stale: regenerate it with `callgate --print-default-config > "
         "config/callgate.toml`";
}

TEST(ConfigDoc, DefaultFileParsesToTheDefaultConfig) {
  auto config = parseConfig(defaultConfigToml(), "callgate.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(*config, Config{});
}

TEST(ConfigDoc, ReferenceListsEveryKeyWithDefaultAndRule) {
  const std::string doc = configReferenceMarkdown();
  for (const ConfigKey& key : configSchema()) {
    EXPECT_NE(
        doc.find("| `" + key.name + "` | " + key.type + " | `" + key.defaultText + "` | Must be " + key.rule),
        std::string::npos)
        << key.name;
  }
  for (const CrossFieldRule& rule : crossFieldRules())
    EXPECT_NE(doc.find("- " + rule.rule), std::string::npos);
}

TEST(ConfigDoc, DefaultFileSetsEveryKeyUnderAComment) {
  const std::string file = defaultConfigToml();
  for (const ConfigKey& key : configSchema()) {
    const std::string shortName = key.name.substr(key.name.find('.') + 1);
    const std::string line =
        "# " + key.doc + " Must be " + key.rule + ".\n" + shortName + " = " + key.defaultText;
    EXPECT_NE(file.find(line), std::string::npos) << key.name;
  }
}

TEST(ConfigDoc, DefaultUserAgentIsNotPinnedToThisVersion) {
  // The file holds the placeholder, so a copied config file keeps announcing the running version.
  EXPECT_NE(defaultConfigToml().find("user_agent = \"callgate/{version}\""), std::string::npos);
  EXPECT_EQ(Config{}.sip.userAgent, "callgate/" + std::string(kVersion));
}

TEST(ConfigDoc, EveryKeyHasADocAndARule) {
  for (const ConfigKey& key : configSchema()) {
    EXPECT_FALSE(key.doc.empty()) << key.name;
    EXPECT_FALSE(key.rule.empty()) << key.name;
    EXPECT_FALSE(key.defaultText.empty()) << key.name;
    EXPECT_EQ(key.doc.find('\n'), std::string::npos) << key.name << ": the default file needs one-line docs";
  }
}

}  // namespace
}  // namespace callgate::app
