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
package bench
