#define BOOST_TEST_MODULE core_state
#include <boost/test/unit_test.hpp>

#include "mediabase/model/import_state.hpp"

using namespace mediabase;

BOOST_AUTO_TEST_CASE(a_new_machine_is_idle_with_no_job) {
    import_state s;
    BOOST_TEST(!s.busy());
    BOOST_TEST(s.job().id == 0);
    BOOST_TEST(!s.complete());
}

BOOST_AUTO_TEST_CASE(start_moves_idle_to_scanning) {
    import_state s;
    BOOST_REQUIRE(s.start(1, "2026-11-25T12:00:00Z"));
    BOOST_TEST(s.busy());
    BOOST_TEST((s.job().state == job_state::scanning));
    BOOST_TEST(*s.job().started_at == "2026-11-25T12:00:00Z");
    BOOST_TEST(!s.job().finished_at.has_value());
}

BOOST_AUTO_TEST_CASE(a_second_start_is_refused_while_a_job_runs) {
    import_state s;
    BOOST_REQUIRE(s.start(1, "t0"));
    s.found(3, 0, "/media/a");
    BOOST_TEST(!s.start(2, "t1"));
    BOOST_TEST(s.job().id == 1);
    BOOST_TEST(s.job().counts.found == 3);
}

BOOST_AUTO_TEST_CASE(job_is_finished_only_when_every_found_movie_is_stored) {
    import_state s;
    s.start(1, "t0");
    s.found(10, 2, "/media/a");
    s.dispatched(10);
    s.stored(4, 0);
    s.walk_finished();
    BOOST_TEST((s.job().state == job_state::identifying));
    BOOST_TEST(!s.complete());
    s.stored(5, 1);
    BOOST_TEST(s.complete());
    s.finish("t9");
    BOOST_TEST(!s.busy());
    BOOST_TEST((s.job().state == job_state::idle));
    BOOST_TEST(*s.job().finished_at == "t9");
    BOOST_TEST(s.job().counts.found == 12);
    BOOST_TEST(s.job().counts.skipped == 2);
    BOOST_TEST(s.job().counts.stored == 9);
    BOOST_TEST(s.job().counts.failed == 1);
    BOOST_TEST(!s.job().current.has_value());
}

BOOST_AUTO_TEST_CASE(the_walk_ending_does_not_finish_while_batches_are_in_flight) {
    import_state s;
    s.start(1, "t0");
    s.found(3, 0, "x");
    s.dispatched(3);
    s.walk_finished();
    BOOST_TEST(!s.complete());
    BOOST_TEST(s.busy());
}

BOOST_AUTO_TEST_CASE(an_unchanged_library_completes_when_the_walk_ends) {
    import_state s;
    s.start(1, "t0");
    s.found(0, 500, "x");
    BOOST_TEST(!s.complete());
    s.walk_finished();
    BOOST_TEST(s.complete());
}

BOOST_AUTO_TEST_CASE(storing_more_than_dispatched_is_a_bug) {
    import_state s;
    s.start(1, "t0");
    s.dispatched(1);
    BOOST_CHECK_THROW(s.stored(2, 0), std::logic_error);
}

BOOST_AUTO_TEST_CASE(abort_ends_the_job_with_its_reason) {
    import_state s;
    s.start(4, "t0");
    s.dispatched(7);
    s.abort("shutting down", "t1");
    BOOST_TEST(!s.busy());
    BOOST_TEST(*s.job().error == "shutting down");
    BOOST_TEST(*s.job().finished_at == "t1");
    BOOST_TEST(s.in_flight() == 0);
    BOOST_TEST(s.start(5, "t2"));
    BOOST_TEST(!s.job().error.has_value());
}

BOOST_AUTO_TEST_CASE(progress_is_dirty_only_after_a_change) {
    import_state s;
    s.start(1, "t0");
    BOOST_TEST(s.take_dirty());
    BOOST_TEST(!s.take_dirty());
    s.found(1, 0, "x");
    BOOST_TEST(s.take_dirty());
    BOOST_TEST(!s.take_dirty());
}

BOOST_AUTO_TEST_CASE(failed_lookups_are_counted_apart_from_storage_failures) {
    import_state s;
    s.start(1, "t0");
    s.found(4, 0, "x");
    s.dispatched(4);
    s.identified(1);
    s.unidentified(2);
    s.stored(3, 1);
    BOOST_TEST(s.job().counts.identified == 1);
    BOOST_TEST(s.job().counts.unidentified == 2);
    BOOST_TEST(s.job().counts.failed == 1);
    BOOST_TEST(s.job().counts.stored == 3);
}

BOOST_AUTO_TEST_CASE(counts_are_ignored_when_idle) {
    import_state s;
    s.found(5, 5, "x");
    s.stored(0, 0);
    BOOST_TEST(s.job().counts.found == 0);
}

BOOST_AUTO_TEST_CASE(a_job_with_problems_ends_with_an_error_naming_them_each_once) {
    import_state s;
    BOOST_REQUIRE(s.start(1, "t0"));
    s.found(3, 0, "/media");
    s.dispatched(3);
    s.fail("movies could not be stored: database or disk is full");
    s.stored(1, 2);
    s.fail("movies could not be stored: database or disk is full");
    s.fail("cannot read 1 folder(s), e.g. /media: Too many open files");
    s.walk_finished();
    BOOST_REQUIRE(s.complete());
    s.finish("t1");
    BOOST_REQUIRE(s.job().error.has_value());
    BOOST_TEST(*s.job().error ==
               "movies could not be stored: database or disk is full; cannot read 1 folder(s), e.g. /media: Too many "
               "open files");
    BOOST_TEST(s.job().finished_at.value_or("") == "t1");
    // The next job starts clean.
    BOOST_REQUIRE(s.start(2, "t2"));
    s.walk_finished();
    s.finish("t3");
    BOOST_TEST(!s.job().error.has_value());
}
