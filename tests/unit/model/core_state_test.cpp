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

BOOST_AUTO_TEST_CASE(progress_is_folders_walked_of_the_last_walk_then_movies_handled_and_never_goes_back) {
    import_state s;
    BOOST_REQUIRE(s.start(1, "t0", import_trigger::manual, 100));
    s.update_progress(0);
    BOOST_TEST(*s.job().progress.percent == 0);
    s.found(10, 0, "/media/a", 50);
    s.dispatched(10);
    s.update_progress(1);
    BOOST_TEST(s.job().progress.measure == "folders");
    BOOST_TEST(*s.job().progress.percent == 45); // 90 % of 50/100
    // A slower count never lowers what was shown.
    s.found(0, 0, "/media/b", 40);
    s.update_progress(2);
    BOOST_TEST(*s.job().progress.percent == 45);
    // More folders than last time: the walk never claims to be over.
    s.found(0, 0, "/media/c", 150);
    s.update_progress(3);
    BOOST_TEST(*s.job().progress.percent < 90);
    BOOST_TEST(s.job().progress.eta_seconds.has_value());
    s.walk_finished(150, 12);
    s.stored(5, 0);
    s.update_progress(4);
    BOOST_TEST(s.job().progress.measure == "movies");
    BOOST_TEST(s.job().progress.total == 10);
    BOOST_TEST(s.job().progress.done == 5);
    BOOST_TEST(*s.job().progress.percent == 95);
    BOOST_TEST(s.job().counts.files == 12);
    s.stored(5, 0);
    BOOST_REQUIRE(s.complete());
    s.finish("t1", 4000);
    BOOST_TEST(*s.job().progress.percent == 100);
    BOOST_TEST(*s.job().duration_ms == 4000);
}

BOOST_AUTO_TEST_CASE(a_first_walk_has_no_percentage_and_current_follows_the_phase) {
    import_state s;
    BOOST_REQUIRE(s.start(1, "t0"));
    s.found(3, 0, "/media/a", 7);
    s.dispatched(3);
    s.update_progress(1);
    BOOST_TEST(!s.job().progress.percent.has_value());
    BOOST_TEST(*s.job().current == "/media/a");
    s.handling("/media/a/Movie.mkv"); // still walking: the folder stays
    BOOST_TEST(*s.job().current == "/media/a");
    s.walk_finished(7, 3);
    s.handling("/media/a/Movie.mkv");
    BOOST_TEST(*s.job().current == "/media/a/Movie.mkv");
    s.update_progress(2);
    BOOST_TEST(*s.job().progress.percent == 90);
}

BOOST_AUTO_TEST_CASE(warnings_are_kept_once_and_bounded) {
    import_state s;
    BOOST_REQUIRE(s.start(1, "t0"));
    s.warn("media folder /gone is missing");
    s.warn("media folder /gone is missing");
    BOOST_TEST(s.job().warnings.size() == 1u);
    for (int i = 0; i < 100; ++i) s.warn("folder " + std::to_string(i));
    BOOST_TEST(s.job().warnings.size() == import_state::max_warnings);
}
