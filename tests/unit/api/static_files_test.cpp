// The web root: which request-targets name a file (no way out of the root), which files are served, with
// which Content-Type, and the limits.
#include "api/static_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace callgate::api {
namespace {

namespace fs = std::filesystem;

TEST(StaticRelativePath, PlainPaths) {
  EXPECT_EQ(staticRelativePath("/"), "index.html");
  EXPECT_EQ(staticRelativePath("/phone.js"), "phone.js");
  EXPECT_EQ(staticRelativePath("/img/logo.png"), "img/logo.png");
  EXPECT_EQ(staticRelativePath("/img/"), "img/index.html");
  EXPECT_EQ(staticRelativePath("/phone.js?v=2"), "phone.js");
  EXPECT_EQ(staticRelativePath("/?x=/../y"), "index.html");
  EXPECT_EQ(staticRelativePath("/a.html#top"), "a.html");
  EXPECT_EQ(staticRelativePath("/my%20page.html"), "my page.html");
  EXPECT_EQ(staticRelativePath("/caf%C3%A9.css"), "caf\xc3\xa9.css");
  EXPECT_EQ(staticRelativePath("/a..b.js"), "a..b.js");
}

TEST(StaticRelativePath, EscapesFromTheRootAreRefused) {
  for (const char* target :
       {"/..", "/../etc/passwd", "/a/../../etc/passwd", "/a/..", "/./index.html", "/%2e%2e/etc/passwd",
        "/%2E%2E%2Fetc%2Fpasswd", "/..%2fetc/passwd", "/a/%2e%2e/%2e%2e/x.js", "/..\\etc\\passwd",
        "/a%5c..%5cx.js", "//etc/passwd", "/a//b.js", "/.git/config", "/.hidden.html", "/img/.x.png"}) {
    EXPECT_EQ(staticRelativePath(target), std::nullopt) << target;
  }
}

TEST(StaticRelativePath, MalformedTargetsAreRefused) {
  for (const char* target : {"", "index.html", "*", "http://example.com/index.html", "/%", "/%2", "/%zz.js",
                             "/a%00.js", "/a%0a.js", "/a%7f.js"}) {
    EXPECT_EQ(staticRelativePath(target), std::nullopt) << target;
  }
  EXPECT_EQ(staticRelativePath(std::string("/a\0b.js", 7)), std::nullopt);
  EXPECT_EQ(staticRelativePath("/" + std::string(1024, 'a')), std::nullopt);
  EXPECT_TRUE(staticRelativePath("/" + std::string(1000, 'a')).has_value());
}

TEST(StaticContentType, KnownExtensionsOnly) {
  EXPECT_EQ(staticContentType("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(staticContentType("INDEX.HTM"), "text/html; charset=utf-8");
  EXPECT_EQ(staticContentType("phone.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(staticContentType("mod.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(staticContentType("style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(staticContentType("logo.svg"), "image/svg+xml");
  EXPECT_EQ(staticContentType("logo.png"), "image/png");
  EXPECT_EQ(staticContentType("favicon.ico"), "image/x-icon");
  EXPECT_EQ(staticContentType("config.json"), "application/json");
  for (const char* name :
       {"callgate.toml", "key.pem", "README", "archive.tar.gz", "script.sh", "a.html.bak", "dir.js/readme"}) {
    EXPECT_EQ(staticContentType(name), std::nullopt) << name;
  }
}

// A scratch web root, removed at the end of the test.
class WebRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("callgate-static-test-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    root_ = base_ / "www";
    fs::create_directories(root_ / "img");
    fs::create_directories(root_ / ".git");
    write(root_ / "index.html", "<h1>phone</h1>");
    write(root_ / "phone.js", "console.log(1);");
    write(root_ / "img" / "logo.png", std::string("\x89PNG\r\n\x1a\n\0", 9));
    write(root_ / "notes.txt", "not served");
    write(root_ / ".git" / "config", "secret");
    write(root_ / ".env.json", "{\"secret\":1}");
    write(base_ / "outside.html", "outside the root");
  }
  void TearDown() override { fs::remove_all(base_); }

  static void write(const fs::path& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
  }

  fs::path base_;
  fs::path root_;
};

TEST_F(WebRoot, ServesTheListedFilesWithTheirTypes) {
  auto site = StaticFiles::load(root_.string());
  ASSERT_TRUE(site.ok()) << site.error().message;
  EXPECT_EQ(site->size(), 3u);
  const StaticFile* index = site->find("/");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->body, "<h1>phone</h1>");
  EXPECT_EQ(index->contentType, "text/html; charset=utf-8");
  ASSERT_NE(site->find("/index.html"), nullptr);
  const StaticFile* js = site->find("/phone.js?cache=1");
  ASSERT_NE(js, nullptr);
  EXPECT_EQ(js->contentType, "text/javascript; charset=utf-8");
  const StaticFile* png = site->find("/img/logo.png");
  ASSERT_NE(png, nullptr);
  EXPECT_EQ(png->body.size(), 9u);
  EXPECT_EQ(png->contentType, "image/png");
  EXPECT_EQ(site->totalBytes(), 14u + 15u + 9u);
}

TEST_F(WebRoot, LeavesOutWhatIsNotServable) {
  auto site = StaticFiles::load(root_.string());
  ASSERT_TRUE(site.ok()) << site.error().message;
  EXPECT_EQ(site->find("/notes.txt"), nullptr);
  EXPECT_EQ(site->find("/.git/config"), nullptr);
  EXPECT_EQ(site->find("/.env.json"), nullptr);
  EXPECT_EQ(site->find("/../outside.html"), nullptr);
  EXPECT_EQ(site->find("/%2e%2e/outside.html"), nullptr);
  EXPECT_EQ(site->find("/img/"), nullptr);  // no img/index.html
  EXPECT_EQ(site->find("/missing.js"), nullptr);
}

TEST_F(WebRoot, SymlinksServeOnlyFilesInsideTheRoot) {
  fs::create_symlink(base_ / "outside.html", root_ / "escape.html");
  fs::create_symlink(root_ / "phone.js", root_ / "alias.js");
  fs::create_directory_symlink(base_, root_ / "up");
  auto site = StaticFiles::load(root_.string());
  ASSERT_TRUE(site.ok()) << site.error().message;
  EXPECT_EQ(site->find("/escape.html"), nullptr);
  EXPECT_EQ(site->find("/up/outside.html"), nullptr);
  const StaticFile* alias = site->find("/alias.js");
  ASSERT_NE(alias, nullptr);
  EXPECT_EQ(alias->body, "console.log(1);");
}

TEST_F(WebRoot, RootThatIsNotADirectoryIsAnError) {
  auto missing = StaticFiles::load((base_ / "nope").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find((base_ / "nope").string()), std::string::npos);
  auto file = StaticFiles::load((base_ / "outside.html").string());
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message.find("not a directory"), std::string::npos) << file.error().message;
}

TEST_F(WebRoot, LimitsAreErrorsNamingWhatIsTooMuch) {
  StaticFilesLimits fewFiles;
  fewFiles.maxFiles = 2;
  auto a = StaticFiles::load(root_.string(), fewFiles);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("more than 2 files"), std::string::npos) << a.error().message;

  StaticFilesLimits smallFiles;
  smallFiles.maxFileBytes = 14;
  auto b = StaticFiles::load(root_.string(), smallFiles);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("phone.js: larger than 14 bytes"), std::string::npos) << b.error().message;

  StaticFilesLimits smallTotal;
  smallTotal.maxTotalBytes = 30;
  auto c = StaticFiles::load(root_.string(), smallTotal);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("more than 30 bytes"), std::string::npos) << c.error().message;
}

}  // namespace
}  // namespace callgate::api
