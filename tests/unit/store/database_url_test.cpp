#define BOOST_TEST_MODULE database_url
#include <boost/test/unit_test.hpp>

#include "mediabase/store/database_url.hpp"

#include <string>

using namespace mediabase;

namespace {

database_url parsed(const std::string& text) {
    auto result = parse_database_url(text);
    if (auto* error = std::get_if<std::string>(&result)) BOOST_FAIL("unexpected error: " + *error);
    return std::get<database_url>(result);
}

std::string error_of(const std::string& text) {
    auto result = parse_database_url(text);
    auto* error = std::get_if<std::string>(&result);
    BOOST_REQUIRE_MESSAGE(error, "expected an error for " + text);
    return *error;
}

} // namespace

BOOST_AUTO_TEST_CASE(sqlite_urls_name_an_absolute_file) {
    const auto url = parsed("sqlite:/srv/mediabase/catalogue.db");
    BOOST_TEST(url.is_sqlite());
    BOOST_TEST(url.file == std::filesystem::path("/srv/mediabase/catalogue.db"));
    BOOST_TEST(parsed("sqlite:///srv/x.db").file == std::filesystem::path("/srv/x.db"));
    BOOST_TEST(parsed("sqlite:rel/x.db").file.is_absolute());
    BOOST_TEST(parsed("sqlite:/srv/x.db").display() == "/srv/x.db");
    BOOST_TEST(error_of("sqlite:").find("sqlite:PATH") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(postgresql_urls_and_conninfos_are_checked_by_libpq) {
    const auto url = parsed("postgresql://mb:s3cret@db.lan:5432/mediabase?sslmode=require");
    BOOST_TEST(!url.is_sqlite());
    BOOST_TEST(url.conninfo == "postgresql://mb:s3cret@db.lan:5432/mediabase?sslmode=require");
    BOOST_TEST(!parsed("postgres://localhost/mb").is_sqlite());
    BOOST_TEST(!parsed("host=/run/postgresql dbname=mb").is_sqlite());
    // libpq refuses what it cannot read; the message never carries the password.
    const auto bad = error_of("postgresql://mb:s3cret@db.lan/mb?sslmode=require&bogus=1");
    BOOST_TEST(bad.find("bogus") != std::string::npos);
    BOOST_TEST(bad.find("s3cret") == std::string::npos);
    BOOST_TEST(error_of("dbname=mb password=s3cret nonsense=1").find("s3cret") == std::string::npos);
    BOOST_TEST(error_of("mediabase.db").find("sqlite:PATH") != std::string::npos);
    BOOST_TEST(error_of("mysql://x/y").find("postgresql://") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(passwords_are_masked_in_every_form) {
    BOOST_TEST(redact_database_url("postgresql://mb:s3cret@db.lan:5432/mediabase?sslmode=require") ==
               "postgresql://mb:••••@db.lan:5432/mediabase?sslmode=require");
    BOOST_TEST(redact_database_url("postgresql://mb@db.lan/mediabase") == "postgresql://mb@db.lan/mediabase");
    BOOST_TEST(redact_database_url("postgresql://db.lan/mb?user=mb&password=s3cret&sslmode=verify-full") ==
               "postgresql://db.lan/mb?user=mb&password=••••&sslmode=verify-full");
    // A malformed password (an unencoded '/' or '@') is masked whole.
    BOOST_TEST(redact_database_url("postgresql://mb:pa/ss@w@db.lan/mb") == "postgresql://mb:••••@db.lan/mb");
    BOOST_TEST(redact_database_url("host=db dbname=mb password=s3cret user=mb") ==
               "host=db dbname=mb password=•••• user=mb");
    BOOST_TEST(redact_database_url("host=db password = 'it\\'s secret' user=mb") ==
               "host=db password = •••• user=mb");
    BOOST_TEST(redact_database_url("PASSWORD=s3cret") == "PASSWORD=••••");
    BOOST_TEST(redact_database_url("passwordx=kept") == "passwordx=kept");
    BOOST_TEST(redact_database_url("sqlite:/srv/pass=word.db") == "sqlite:/srv/pass=word.db");
    BOOST_TEST(parsed("postgresql://mb:s3cret@db.lan/mb").display() == "postgresql://mb:••••@db.lan/mb");
    BOOST_TEST(parsed("dbname=mb password=s3cret").display() == "dbname=mb password=••••");
}
