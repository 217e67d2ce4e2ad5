// The catalogue's media information: what the Prober read from the files (media_info, schema version 7),
// the files it has still to read, and the streams as JSON columns.
#include "sql_support.hpp"

#include <utility>

namespace mediabase {

using namespace sql_support;

namespace {

std::optional<std::string> text_field(const boost::json::object& o, std::string_view key) {
    if (const auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->get_string());
    return std::nullopt;
}

std::string audio_json(const std::vector<audio_stream>& streams) {
    boost::json::array array;
    for (const auto& s : streams) {
        boost::json::object o;
        o["codec"] = s.codec;
        if (s.channels) o["channels"] = *s.channels;
        if (s.language) o["language"] = *s.language;
        array.push_back(std::move(o));
    }
    return boost::json::serialize(array);
}

std::string subtitles_json(const std::vector<subtitle_stream>& streams) {
    boost::json::array array;
    for (const auto& s : streams) {
        boost::json::object o;
        o["codec"] = s.codec;
        if (s.language) o["language"] = *s.language;
        array.push_back(std::move(o));
    }
    return boost::json::serialize(array);
}

} // namespace

namespace sql_support {

media_info media_row::to_info() const {
    media_info info;
    info.state = state == "ok" ? media_info::state_type::ok : media_info::state_type::unreadable;
    info.error = error.get();
    info.stamp = {size, mtime_ns};
    info.container = container.get();
    info.duration_ms = duration_ms.get();
    info.video_codec = video_codec.get();
    info.width = width.get();
    info.height = height.get();
    info.hdr = hdr.get();
    for (const auto& v : json_array(audio)) {
        if (!v.is_object()) continue;
        const auto& o = v.get_object();
        audio_stream s;
        s.codec = text_field(o, "codec").value_or("");
        if (const auto* n = o.if_contains("channels"); n && n->is_int64())
            s.channels = static_cast<int>(n->get_int64());
        s.language = text_field(o, "language");
        info.audio.push_back(std::move(s));
    }
    for (const auto& v : json_array(subtitles)) {
        if (!v.is_object()) continue;
        const auto& o = v.get_object();
        info.subtitles.push_back({text_field(o, "codec").value_or(""), text_field(o, "language")});
    }
    return info;
}

void media_row::set(const probed_file& probed) {
    const media_info& info = probed.info;
    file_id = probed.file_id;
    size = info.stamp.size;
    mtime_ns = info.stamp.mtime_ns;
    state = info.state == media_info::state_type::ok ? "ok" : "unreadable";
    error.set(info.error);
    container.set(info.container);
    duration_ms.set(info.duration_ms);
    video_codec.set(info.video_codec);
    width.set(info.width);
    height.set(info.height);
    hdr.set(info.hdr);
    audio = audio_json(info.audio);
    subtitles = subtitles_json(info.subtitles);
}

} // namespace sql_support

std::vector<probe_target> catalogue::files_to_probe(std::int64_t after, std::size_t limit) {
    std::vector<probe_target> targets;
    if (limit == 0) return targets;
    read_transaction snapshot(impl_->sql, *impl_->dialect);
    probe_target target;
    int wanted = static_cast<int>(std::min<std::size_t>(limit, 1000));
    // A range over the primary key from `after`: a pass through the catalogue reads each file once.
    auto select = prepare(impl_->sql,
                          "SELECT f.id, f.path, f.size, f.mtime_ns FROM media_files f"
                          " LEFT JOIN media_info i ON i.file_id = f.id"
                          // This server's files: another server's are read where they are.
                          " WHERE f.id > :after AND f.server = :server"
                          " AND (i.file_id IS NULL OR i.size <> f.size OR i.mtime_ns <> f.mtime_ns)"
                          " AND (f.container IS NULL OR f.container NOT IN ('bdmv', 'video_ts', 'iso', 'img', 'strm'))"
                          " ORDER BY f.id LIMIT :wanted",
                          soci::into(target.file_id), soci::into(target.path), soci::into(target.stamp.size),
                          soci::into(target.stamp.mtime_ns), soci::use(after, "after"),
                          soci::use(impl_->server, "server"), soci::use(wanted, "wanted"));
    for_each_row(*impl_->dialect, select, [&] { targets.push_back(target); });
    return targets;
}

std::int64_t catalogue::store_media_info(std::span<const probed_file> results) {
    if (results.empty()) return 0;
    write_transaction transaction(impl_->sql, *impl_->dialect);
    auto& sql = impl_->sql;
    std::int64_t file_id = 0;
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    auto current = prepare(sql, "SELECT size, mtime_ns FROM media_files WHERE id = :id", soci::into(size),
                           soci::into(mtime_ns), soci::use(file_id, "id"));
    auto remove = prepare(sql, "DELETE FROM media_info WHERE file_id = :id", soci::use(file_id, "id"));
    media_row row;
    std::string now = utc_now_iso8601();
    auto insert = prepare(sql,
                          "INSERT INTO media_info (file_id, size, mtime_ns, state, error, container, duration_ms,"
                          " video_codec, width, height, hdr, audio, subtitles, probed_at) VALUES (:file_id, :size,"
                          " :mtime_ns, :state, :error, :container, :duration_ms, :video_codec, :width, :height,"
                          " :hdr, :audio, :subtitles, :now)",
                          soci::use(row.file_id, "file_id"), soci::use(row.size, "size"),
                          soci::use(row.mtime_ns, "mtime_ns"), soci::use(row.state, "state"),
                          use(row.error, "error"), use(row.container, "container"),
                          use(row.duration_ms, "duration_ms"), use(row.video_codec, "video_codec"),
                          use(row.width, "width"), use(row.height, "height"), use(row.hdr, "hdr"),
                          soci::use(row.audio, "audio"), soci::use(row.subtitles, "subtitles"),
                          soci::use(now, "now"));
    std::int64_t stored = 0;
    for (const auto& probed : results) {
        file_id = probed.file_id;
        // Read from the file as the catalogue knows it now, or not at all: a newer file is read again.
        if (!query_one(*impl_->dialect, current) || size != probed.info.stamp.size ||
            mtime_ns != probed.info.stamp.mtime_ns)
            continue;
        execute(*impl_->dialect, remove);
        row.set(probed);
        execute(*impl_->dialect, insert);
        ++stored;
    }
    transaction.commit();
    return stored;
}

} // namespace mediabase
