// Package bench holds the benchmarks behind `gonghai bench <name>`. Each
// measures a scenario against its floor, taken in the same run on the same
// database and durability: the bare SQL the scenario cannot avoid
// (DESIGN.md, "Performance — how it is measured"). A figure alone says more
// about the machine than about gonghai; the ratio says what gonghai adds.
// The floors are SQL, so they live in the store (internal/store/floor.go);
// this package writes no SQL, and seeds through the store's one bulk path,
// store.DB.BulkInsertCustomers.
//
//   - claim-storm: claims through HTTP, many reps on few customers and many
//     reps on many customers. Floor: store.DB.FloorClaim, one transaction
//     of the conditional UPDATE and the winner's event. It is also the long
//     storm the store's TestClaimStorm stands for, with the same checks.
//   - recycle: the recycle sweep on tables of 100k and 1M owned customers.
//     Floor: store.DB.FloorRecycle, a batched bare UPDATE of the due rows;
//     also compared with a full scan of every owned row (store.FullScan).
//   - list: a pool's listing through HTTP, first page and 10,000 rows deep,
//     unfiltered and with one and two filters selecting about 9 %, 0.3 %
//     and under 0.01 %. Floor: store.DB.FloorList, the bare indexed SELECT
//     of the same rows, columns and LIMIT. Goal: HTTP/bare ≤ 2×.
//   - search: a pool's listing searched by phone, email and part of a
//     company name through HTTP. Floor: store.DB.FloorLookup, the bare
//     look-up by the field's index. Goal: median ≤ 5 ms and ≤ 3× the floor.
//   - memory: `gonghai serve` as its own process on a million customers,
//     its peak resident set after listings and sign-ins. No floor; goal:
//     ≤ 100 MB.
//
// list, search and memory share a seeded organisation of --customers
// customers (a million by default), kept with --keep between runs.
package bench
