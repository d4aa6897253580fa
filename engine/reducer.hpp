#pragma once
// A Reducer says how the items of a flow become one result: an empty partial, how to fold one
// item into it, how to merge two partials, how to finish. Executors fold each chunk into a
// partial and merge partials in any order and grouping, so `merge` must be associative and
// commutative for the result to be the same in every mode.
//
//   struct LongestWord {                                   // a reducer of your own
//       using partial_type = std::string;
//       std::string init() const { return {}; }
//       void fold(std::string& p, std::string_view w) const { if (longer(w, p)) p = w; }
//       void merge(std::string& p, std::string&& q) const { if (longer(q, p)) p = std::move(q); }
//       std::string finalize(std::string&& p) const { return p; }
//   };
//   auto longest = text_files({"books/"}).flat_map(ops::words).reduce(LongestWord{}).run();
//
// To run in Mode::processes or Mode::shm the partial type must have a codec: std types need
// nothing, a struct of your own needs PARAPIPE_FIELDS (engine/fields.hpp).
//
// Two optional members make Mode::processes cheaper (the keyed reductions have them):
//   void reset(partial_type& p) const;                 // empty p for the next chunk, keeping its memory
//   void merge_serialized(partial_type& p, Reader& r) const;  // merge a serialized partial into p
// A reducer with either must give them exactly these meanings.
#include <concepts>
#include <utility>

namespace parapipe {

template <class R, class Item>
concept Reducer = requires(const R& r, typename R::partial_type& p, typename R::partial_type&& q, Item&& item) {
    { r.init() } -> std::same_as<typename R::partial_type>;
    r.fold(p, std::forward<Item>(item));
    r.merge(p, std::move(q));
    r.finalize(std::move(q));
};

}  // namespace parapipe
