#define BOOST_TEST_MODULE accounts
#include <boost/test/unit_test.hpp>

#include "mediabase/store/accounts.hpp"
#include "mediabase/store/catalogue.hpp"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <span>
#include <stdexcept>

#include "temp_dir.hpp"

using namespace mediabase;
using mediabase::testing::temp_dir;

namespace {

movie_id add_movie(catalogue& c, const std::string& path) {
    found_movie m;
    m.title = "Heat";
    m.year = 1995;
    media_file f;
    f.path = path;
    f.root = "/media";
    f.stamp = {1, 1};
    m.files.push_back(f);
    const auto result = c.store_found(std::span(&m, 1));
    BOOST_REQUIRE_EQUAL(result.changes.size(), 1u);
    return result.changes.front().id;
}

} // namespace

BOOST_AUTO_TEST_SUITE(accounts_suite)

BOOST_AUTO_TEST_CASE(passwords_are_argon2id_and_secrets_are_stored_as_digests) {
    const auto hash = hash_password("correct horse battery");
    BOOST_TEST(hash.starts_with("$argon2id$"));
    BOOST_TEST(verify_password("correct horse battery", hash));
    BOOST_TEST(!verify_password("correct horse batterY", hash));
    BOOST_TEST(hash_password("correct horse battery") != hash); // salted
    const auto a = new_secret();
    BOOST_TEST(a.starts_with("mb_"));
    BOOST_TEST(a.size() == 46u);
    BOOST_TEST(a != new_secret());
    BOOST_TEST(secret_digest(a).size() == 64u);
    BOOST_TEST(secret_digest(a) == secret_digest(a));
    BOOST_TEST(check_password("short").has_value());
    BOOST_TEST(!check_password("long enough").has_value());
    BOOST_TEST(check_account_name("ann smith").has_value());
    BOOST_TEST(!check_account_name("ann.smith@home").has_value());
}

BOOST_AUTO_TEST_CASE(the_first_admin_inherits_the_state_kept_before_accounts) {
    temp_dir dir;
    auto c = catalogue::open(dir.path / "m.db");
    const auto id = add_movie(c, "/media/Heat (1995)/Heat.mkv");
    movie_patch patch;
    patch.watched = true;
    patch.rating = std::optional<int>{9};
    BOOST_REQUIRE(c.patch_movie(id, patch));
    BOOST_REQUIRE(c.add_account("bob", hash_password("viewer password"), "viewer"));
    const auto ann = c.add_account("ann", hash_password("admin password"), "admin");
    BOOST_REQUIRE(ann);
    BOOST_REQUIRE(!c.add_account("ANN", "x", "viewer")); // names compare without case
    soci::session raw(soci::sqlite3, (dir.path / "m.db").string());
    int watched = 0, rating = 0;
    long long user = 0;
    raw << "SELECT user_id, watched, rating FROM user_movie_state WHERE movie_id = :id", soci::use(id),
        soci::into(user), soci::into(watched), soci::into(rating);
    BOOST_TEST(user == ann->id);
    BOOST_TEST(watched == 1);
    BOOST_TEST(rating == 9);
}

BOOST_AUTO_TEST_CASE(sessions_expire_and_a_password_change_ends_the_others) {
    temp_dir dir;
    auto c = catalogue::open(dir.path / "m.db");
    const auto ann = c.add_account("ann", hash_password("admin password"), "admin");
    BOOST_REQUIRE(ann);
    const auto kept = c.create_session(ann->id, secret_digest("one"), "2999-01-01T00:00:00Z", "127.0.0.1");
    c.create_session(ann->id, secret_digest("two"), "2999-01-01T00:00:00Z", "127.0.0.1");
    c.create_session(ann->id, secret_digest("old"), "2000-01-01T00:00:00Z", "127.0.0.1");
    BOOST_TEST(!c.session_account(secret_digest("old"), "2026-01-01T00:00:00Z"));
    auto found = c.session_account(secret_digest("two"), "2026-01-01T00:00:00Z");
    BOOST_REQUIRE(found);
    BOOST_TEST(found->who.name == "ann");
    const auto ended = c.set_password("Ann", hash_password("a new password"), kept);
    BOOST_REQUIRE(ended);
    BOOST_TEST(ended->size() == 1u);
    BOOST_TEST(!c.session_account(secret_digest("two"), "2026-01-01T00:00:00Z"));
    BOOST_TEST(c.session_account(secret_digest("one"), "2026-01-01T00:00:00Z").has_value());
    BOOST_TEST(verify_password("a new password", c.account_with_hash("ann")->second));
    BOOST_TEST(c.end_sessions(ann->id, 0).size() == 1u);
    BOOST_TEST(!c.session_account(secret_digest("one"), "2026-01-01T00:00:00Z"));
}

BOOST_AUTO_TEST_CASE(keys_are_found_by_digest_revoked_by_their_owner_and_go_with_the_account) {
    temp_dir dir;
    auto c = catalogue::open(dir.path / "m.db");
    const auto ann = c.add_account("ann", hash_password("admin password"), "admin");
    const auto bob = c.add_account("bob", hash_password("viewer password"), "viewer");
    const auto key = c.create_api_key(bob->id, "script", "read", secret_digest("mb_k"), "mb_k");
    auto found = c.key_account(secret_digest("mb_k"));
    BOOST_REQUIRE(found);
    BOOST_TEST(found->who.name == "bob");
    BOOST_TEST(found->scope == "read");
    c.touch_api_key(key.id, "2026-11-30T00:00:00Z");
    BOOST_TEST(c.list_api_keys(bob->id).front().last_used_at.value_or("") == "2026-11-30T00:00:00Z");
    BOOST_TEST(!c.revoke_api_key(ann->id, key.id)); // not ann's
    // The last admin stays while others remain.
    BOOST_CHECK_THROW(c.remove_account("ann"), std::invalid_argument);
    const auto removed = c.remove_account("bob");
    BOOST_REQUIRE(removed);
    BOOST_TEST(removed->second.size() == 1u);
    BOOST_TEST(!c.key_account(secret_digest("mb_k")));
    BOOST_TEST(c.remove_account("ann").has_value()); // alone now
    BOOST_TEST(c.account_count() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
