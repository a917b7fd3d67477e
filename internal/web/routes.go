package web

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// routes lists every route of the API. Each handler lives in the file of
// its resource; the OpenAPI document at /api/openapi.json is generated from
// these registrations.
func (s *Server) routes() {
	register(s, op(http.MethodGet, "/healthz", "health", "Answers 200 when the database answers"), s.health)

	register(s, op(http.MethodPost, "/api/v1/auth/login", "login", "Sign in with login and password: sets the session cookie"), s.login)
	register(s, op(http.MethodPost, "/api/v1/auth/logout", "logout", "End the session of the cookie"), s.logout)

	register(s, op(http.MethodGet, "/api/v1/me", "get-me", "The authenticated user"), s.getMe)
	register(s, op(http.MethodGet, "/api/v1/me/customers", "list-my-customers", "My private pool (私海), filtered; newest or most urgent first"), s.listMyCustomers)
	register(s, op(http.MethodGet, "/api/v1/me/notifications", "list-my-notifications", "Reminders and recycle notices, newest first"), s.listNotifications)
	register(s, exported(op(http.MethodGet, "/api/v1/me/customers/export", "export-my-customers", "My private pool as an XLSX or CSV file, with the list's filters; counted against the daily export quota")), s.exportMyCustomers)
	register(s, op(http.MethodPost, "/api/v1/me/notifications/read", "read-my-notifications", "Mark notifications read"), s.readNotifications)

	register(s, created(op(http.MethodPost, "/api/v1/tokens", "create-token", "Make an API token for yourself; needs a signed-in session")), s.createToken)
	register(s, op(http.MethodGet, "/api/v1/tokens", "list-tokens", "Your API tokens (admins: any user's), newest first; never their secrets"), s.listTokens)
	register(s, noContent(op(http.MethodDelete, "/api/v1/tokens/{id}", "revoke-token", "End an API token for good (its holder, admins)")), s.revokeToken)

	register(s, op(http.MethodGet, "/api/v1/settings", "get-settings", "Organisation settings"), s.getSettings)
	register(s, op(http.MethodPatch, "/api/v1/settings", "update-settings", "Change the settings named; the rest stay (admin)"), s.updateSettings)

	register(s, created(op(http.MethodPost, "/api/v1/departments", "create-department", "Create a department (admin)")), s.createDepartment)
	register(s, op(http.MethodGet, "/api/v1/departments", "list-departments", "The department tree, parents first"), s.listDepartments)

	register(s, created(op(http.MethodPost, "/api/v1/users", "create-user", "Create a user (admin)")), s.createUser)
	register(s, op(http.MethodGet, "/api/v1/users", "list-users", "Users you may see"), s.listUsers)
	register(s, op(http.MethodGet, "/api/v1/users/{id}", "get-user", "One user"), s.getUser)
	register(s, op(http.MethodPatch, "/api/v1/users/{id}", "update-user", "Change a user; active=false ends their tokens (admin)"), s.updateUser)
	register(s, op(http.MethodPost, "/api/v1/users/{id}/handover", "hand-over", "Transfer a user's customers: all you may move, the rest listed (admin; manager of both)"), s.handOver)

	register(s, created(op(http.MethodPost, "/api/v1/pools", "create-pool", "Create a pool (admin)")), s.createPool)
	register(s, op(http.MethodGet, "/api/v1/pools", "list-pools", "Pools you may see"), s.listPools)
	register(s, op(http.MethodGet, "/api/v1/pools/{id}", "get-pool", "One pool"), s.getPool)
	register(s, op(http.MethodPatch, "/api/v1/pools/{id}", "update-pool", "Change a pool (admin; pool admins: claim rules)"), s.updatePool)
	register(s, op(http.MethodGet, "/api/v1/pools/{id}/customers", "list-pool-customers", "Unowned customers of a pool, newest first"), s.listPoolCustomers)
	register(s, exported(op(http.MethodGet, "/api/v1/pools/{id}/customers/export", "export-pool-customers", "A pool's listing as an XLSX or CSV file, with the listing's filters and masking; counted against the daily export quota")), s.exportPoolCustomers)
	register(s, op(http.MethodPost, "/api/v1/pools/{id}/claim", "claim-batch", "Claim up to 50 customers; one result per id"), s.claimBatch)
	register(s, op(http.MethodPost, "/api/v1/pools/{id}/claim-next", "claim-next", "Claim the next customer in the pool's claim order (best-scored, or longest in the pool)"), s.claimNext)
	register(s, op(http.MethodGet, "/api/v1/pools/{id}/recycle-preview", "recycle-preview", "Who would be recycled each day under the pool's rules; changes nothing"), s.recyclePreview)
	register(s, op(http.MethodPost, "/api/v1/pools/{id}/recycle-preview", "recycle-preview-proposed", "Who would be recycled each day under proposed rules; changes nothing"), s.proposedRecyclePreview)

	register(s, op(http.MethodGet, "/api/v1/customers", "list-customers", "Customers you may list: admins all, managers their subtree's, reps their own; filtered, newest or most urgent first, with a total"), s.listCustomers)
	register(s, exported(op(http.MethodGet, "/api/v1/customers/export", "export-customers", "The customers you may list (list-customers, search included) as an XLSX or CSV file, with the same filters and masking; counted against the daily export quota")), s.exportCustomers)
	register(s, created(op(http.MethodPost, "/api/v1/customers", "create-customer", "Create a customer in a pool or for an owner")), s.createCustomer)
	register(s, op(http.MethodGet, "/api/v1/customers/matches", "customer-matches", "What a new customer would meet: duplicates (refused) and like companies (confirmed with allow_similar); a contact match counts as a look-up"), s.customerMatches)
	register(s, op(http.MethodGet, "/api/v1/customers/{id}", "get-customer", "One customer"), s.getCustomer)
	register(s, op(http.MethodPatch, "/api/v1/customers/{id}", "update-customer", "Change a customer's fields"), s.updateCustomer)
	register(s, op(http.MethodPost, "/api/v1/customers/{id}/claim", "claim-customer", "Claim a customer from its pool"), s.claimCustomer)
	register(s, op(http.MethodPost, "/api/v1/customers/{id}/release", "release-customer", "Give a customer back to a pool"), s.releaseCustomer)
	register(s, op(http.MethodPost, "/api/v1/customers/{id}/assign", "assign-customer", "Give a pool customer to a rep"), s.assignCustomer)
	register(s, op(http.MethodPost, "/api/v1/customers/{id}/transfer", "transfer-customer", "Move a customer to another owner"), s.transferCustomer)
	register(s, op(http.MethodGet, "/api/v1/customers/{id}/history", "customer-history", "Ownership events, oldest first"), s.customerHistory)
	register(s, created(op(http.MethodPost, "/api/v1/customers/{id}/followups", "add-follow-up", "Log a follow-up; a counting kind moves the recycle deadline")), s.addFollowUp)
	register(s, op(http.MethodGet, "/api/v1/customers/{id}/followups", "list-follow-ups", "Follow-ups, latest first"), s.listFollowUps)
	register(s, created(op(http.MethodPost, "/api/v1/customers/{id}/opportunities", "create-opportunity", "Open an opportunity")), s.createOpportunity)
	register(s, op(http.MethodPost, "/api/v1/customers/{id}/convert", "convert-lead", "Convert a lead into a customer (一转三), optionally with an opportunity; a lead matching an existing customer joins it"), s.convertLead)
	register(s, op(http.MethodGet, "/api/v1/customers/{id}/opportunities", "list-opportunities", "Opportunities, newest first"), s.listOpportunities)
	register(s, op(http.MethodPatch, "/api/v1/opportunities/{id}", "close-opportunity", "Mark an open opportunity won or lost"), s.closeOpportunity)
	register(s, created(op(http.MethodPost, "/api/v1/customers/{id}/orders", "create-order", "Record an order: the first marks the customer won")), s.createOrder)
	register(s, op(http.MethodGet, "/api/v1/customers/{id}/orders", "list-orders", "Orders, latest first"), s.listOrders)
	register(s, op(http.MethodPost, "/api/v1/customers/{id}/lock", "lock-customer", "Protect a key customer from recycling (admin, pool admin, owner's manager)"), s.lockCustomer)
	register(s, op(http.MethodPost, "/api/v1/customers/{id}/unlock", "unlock-customer", "Lift the protection"), s.unlockCustomer)
	register(s, op(http.MethodPut, "/api/v1/customers/{id}/plan", "set-follow-up-plan", "Set the next follow-up plan (下次跟进): the owner is reminded on the day"), s.setPlan)
	register(s, noContent(op(http.MethodDelete, "/api/v1/customers/{id}/plan", "clear-follow-up-plan", "Clear the next follow-up plan")), s.clearPlan)
	register(s, op(http.MethodPost, "/api/v1/customers/{id}/reveal", "reveal-contacts", "Show masked contact fields in full; logged and counted against a daily quota"), s.revealContacts)
	register(s, op(http.MethodGet, "/api/v1/customers/{id}/export", "export-customer", "Everything held about one customer, for a data subject request (admin)"), s.exportCustomer)
	register(s, op(http.MethodPost, "/api/v1/customers/{id}/erase", "erase-customer", "Erase a customer's personal data; ownership history keeps ids (admin)"), s.eraseCustomer)

	// Contacts (联系人): contact_api.go. The customer's own fields are its primary contact, listed first.
	register(s, op(http.MethodGet, "/api/v1/customers/{id}/contacts", "list-contacts", "A customer's contacts: its primary contact (the customer's own fields, its id) first, then the others as added; masked as the customer's contacts are"), s.listContacts)
	register(s, created(op(http.MethodPost, "/api/v1/customers/{id}/contacts", "create-contact", "Add a contact; its phone, email and WeChat id must be no other person's (who may edit the customer)")), s.createContact)
	register(s, op(http.MethodPatch, "/api/v1/customers/{id}/contacts/{contact_id}", "update-contact", "Change a contact; a phone, email or WeChat id you were shown masked only after a reveal"), s.updateContact)
	register(s, noContent(op(http.MethodDelete, "/api/v1/customers/{id}/contacts/{contact_id}", "delete-contact", "Remove a contact (who may edit the customer and was shown its contacts in full)")), s.deleteContact)

	// Pool hygiene (定期清理公海): hygiene_api.go.
	register(s, op(http.MethodPost, "/api/v1/customers/{id}/invalid", "mark-invalid", "Mark a pool customer invalid: it moves to the archive, restorable until purged (admin, pool admin)"), s.markInvalid)
	register(s, created(op(http.MethodPost, "/api/v1/customers/{id}/flags", "flag-invalid", "Flag a pool customer invalid, once per person; the pool's admins see flags")), s.flagInvalid)
	register(s, op(http.MethodGet, "/api/v1/customers/{id}/flags", "list-flags", "Who flagged a customer invalid and why, oldest first (admin, pool admin)"), s.listFlags)
	register(s, op(http.MethodPost, "/api/v1/customers/{id}/restore", "restore-customer", "Take an archived customer back to the pool it came from (admin, that pool's admin)"), s.restoreCustomer)
	register(s, op(http.MethodGet, "/api/v1/archive", "list-archive", "Customers waiting in the archive, newest first (admin; pool admins: their pools')"), s.listArchive)
	register(s, op(http.MethodGet, "/api/v1/archive/settings", "get-archive-settings", "How long invalid customers wait in the archive"), s.getArchiveSettings)
	register(s, op(http.MethodPut, "/api/v1/archive/settings", "set-archive-settings", "Change how long invalid customers wait in the archive (admin)"), s.setArchiveSettings)
	register(s, op(http.MethodGet, "/api/v1/pools/{id}/hygiene", "get-pool-hygiene", "A pool's hygiene rules"), s.getPoolHygiene)
	register(s, op(http.MethodPut, "/api/v1/pools/{id}/hygiene", "set-pool-hygiene", "Set a pool's hygiene rules; the sweep applies them (admin, pool admin)"), s.setPoolHygiene)
	register(s, op(http.MethodPost, "/api/v1/pools/{id}/hygiene-preview", "preview-pool-hygiene", "How many customers proposed hygiene rules would mark invalid now; changes nothing"), s.previewPoolHygiene)

	register(s, op(http.MethodGet, "/api/v1/audit", "list-audit", "Sensitive actions, newest first (admin)"), s.listAudit)

	upload := created(op(http.MethodPost, "/api/v1/imports", "create-import", "Upload a spreadsheet to import into a pool: a dry run answers every row's verdict; otherwise the job is queued (admin, pool admin)"))
	upload.MaxBodyBytes = s.maxUploadBytes()
	register(s, upload, s.createImport)
	// huma files the upload's file type as a component that no schema
	// names (the multipart body declares the file inline): the document
	// keeps no unused component.
	delete(s.api.OpenAPI().Components.Schemas.Map(), "FormFile")
	register(s, op(http.MethodGet, "/api/v1/imports", "list-imports", "My imports, newest first"), s.listImports)
	register(s, fileResponse(op(http.MethodGet, "/api/v1/imports/template", "import-template", "The import template: XLSX with a notes row and drop-downs, or CSV"), "The template"), s.importTemplate)
	register(s, op(http.MethodGet, "/api/v1/imports/{id}", "get-import", "An import's progress (done of total rows) and counts"), s.getImport)
	register(s, op(http.MethodGet, "/api/v1/imports/{id}/rows", "list-import-rows", "The dry run's verdict of each row, in row order; or the run's refused rows"), s.listImportRows)
	register(s, op(http.MethodPost, "/api/v1/imports/{id}/start", "start-import", "Run an import whose dry run is done"), s.startImport)
	register(s, op(http.MethodPost, "/api/v1/imports/{id}/cancel", "cancel-import", "Stop an import between two batches: the rows written stay"), s.cancelImport)
	register(s, fileResponse(op(http.MethodGet, "/api/v1/imports/{id}/errors", "import-errors", "The error file: the refused rows as uploaded with an error column, in the upload's format; kept 7 days"), "The error file"), s.importErrors)
	register(s, op(http.MethodGet, "/api/v1/conflicts", "list-conflicts", "Conflicts (撞单) you arbitrate: admins all, managers their subtree's; newest first, with the open count"), s.listConflicts)
	register(s, op(http.MethodGet, "/api/v1/conflicts/rates", "conflict-rates", "New customers and conflicts per department and month: the conflict rate"), s.conflictRates)
	register(s, op(http.MethodGet, "/api/v1/conflicts/{id}", "get-conflict", "One conflict with both customers, masked as usual"), s.getConflict)
	register(s, op(http.MethodPost, "/api/v1/conflicts/{id}/resolve", "resolve-conflict", "Resolve an open conflict: keep, give, merge or dismiss"), s.resolveConflict)
	// Channels (渠道) and intake: channel_api.go, intake_api.go.
	register(s, created(op(http.MethodPost, "/api/v1/channels", "create-channel", "Create a channel with a fresh key (admin)")), s.createChannel)
	register(s, op(http.MethodGet, "/api/v1/channels", "list-channels", "Every channel by name (admin)"), s.listChannels)
	register(s, op(http.MethodGet, "/api/v1/channels/{id}", "get-channel", "One channel (admin)"), s.getChannel)
	register(s, op(http.MethodPatch, "/api/v1/channels/{id}", "update-channel", "Change a channel (admin)"), s.updateChannel)
	register(s, op(http.MethodPost, "/api/v1/channels/{id}/rotate-key", "rotate-channel-key", "Give a channel a new key: the old one is answered not found from now on (admin)"), s.rotateChannelKey)
	intake := accepted(op(http.MethodPost, "/api/v1/intake/{key}", "intake", "Submit a lead to a channel, with no session: JSON, or a website's plain HTML form; rate limited per channel and per address"))
	intake.MaxBodyBytes = 64 << 10
	intake.SkipValidateBody = true // read raw, JSON or a form: intake_api.go checks it
	register(s, intake, s.intake)
	s.documentIntake()
	register(s, op(http.MethodGet, "/api/v1/quarantine", "list-quarantine", "Intake submissions held as spam, newest first (admin)"), s.listQuarantine)
	register(s, op(http.MethodPost, "/api/v1/quarantine/{id}/release", "release-quarantined", "Make a lead of a held submission, as its channel would have (admin)"), s.releaseQuarantined)
	register(s, op(http.MethodPost, "/api/v1/quarantine/{id}/drop", "drop-quarantined", "Drop a held submission: nothing of it stays (admin)"), s.dropQuarantined)
	register(s, op(http.MethodPost, "/api/v1/customers/{id}/merge", "merge-customer", "Merge this customer into another, fields chosen per field (admin)"), s.mergeCustomer)
	register(s, op(http.MethodGet, "/api/v1/customers/{id}/merged-history", "customer-merged-history", "Ownership events of the customers merged into this one"), s.mergedHistory)
	s.assignRoutes()
	s.reportRoutes() // GET /api/v1/reports/{name}[/customers|/export]: report_api.go
}

func op(method, path, id, summary string) huma.Operation {
	return huma.Operation{Method: method, Path: path, OperationID: id, Summary: summary, MaxBodyBytes: 1 << 20}
}

func noContent(o huma.Operation) huma.Operation {
	o.DefaultStatus = http.StatusNoContent
	return o
}

func accepted(o huma.Operation) huma.Operation {
	o.DefaultStatus = http.StatusAccepted
	return o
}

func created(o huma.Operation) huma.Operation {
	o.DefaultStatus = http.StatusCreated
	return o
}
