package web

import (
	"io/fs"
	"net/http"

	"github.com/gonghai/gonghai/internal/sheet"
)

// pages registers every page of the web UI on mux, one line each. The
// handlers live in <area>_ui.go beside the API's <resource>_api.go.
func (s *Server) pages(mux router) {
	mux.Handle("GET /static/", staticHandler())

	s.publicPage(mux, "GET /login", s.loginPage)
	s.publicPage(mux, "POST /login", s.loginForm)
	s.page(mux, "POST /logout", s.logoutForm)

	s.page(mux, "GET /{$}", s.homePage)
	s.page(mux, "GET /notifications", s.notificationsPage)
	s.page(mux, "POST /notifications/read", s.readNotificationsForm)

	s.page(mux, "GET /customers/new", s.newCustomerPageGet)
	s.page(mux, "POST /customers/new", s.newCustomerPost)
	s.page(mux, "GET /customers/new/check", s.newCustomerCheck)
	s.page(mux, "GET /customers/{id}", s.customerPage)
	s.page(mux, "POST /customers/{id}", s.customerEditForm)
	s.page(mux, "POST /customers/{id}/followups", s.followUpForm)
	s.page(mux, "POST /customers/{id}/plan", s.planForm)
	s.page(mux, "POST /customers/{id}/plan/clear", s.planClearForm)
	s.page(mux, "POST /customers/{id}/opportunities", s.opportunityForm)
	s.page(mux, "POST /customers/{id}/opportunities/{opp}/close", s.opportunityCloseForm)
	s.page(mux, "POST /customers/{id}/orders", s.orderForm)
	s.page(mux, "POST /customers/{id}/lock", s.lockForm)
	s.page(mux, "POST /customers/{id}/claim", s.claimForm)
	s.page(mux, "POST /customers/{id}/release", s.releaseForm)
	s.page(mux, "POST /customers/{id}/reveal", s.revealForm)
	s.page(mux, "POST /customers/{id}/contacts", s.contactAddForm)
	s.page(mux, "POST /customers/{id}/contacts/{contact}", s.contactEditForm)
	s.page(mux, "POST /customers/{id}/contacts/{contact}/delete", s.contactDeleteForm)
	s.page(mux, "GET /customers/{id}/convert", s.convertPage)
	s.page(mux, "POST /customers/{id}/convert", s.convertForm)
	s.page(mux, "GET /pool", s.poolPage)
	s.page(mux, "GET /pool/regions", s.regionsFragment)
	s.page(mux, "GET /pool/claim", s.claimConfirmPage)
	s.page(mux, "POST /pool/claim", s.poolClaimForm)
	s.page(mux, "POST /pool/claim-batch", s.claimBatchForm)
	s.page(mux, "POST /pool/claim-next", s.claimNextForm)
	s.page(mux, "GET /mine", s.minePage)
	s.page(mux, "GET /mine/release", s.releasePage)
	s.page(mux, "POST /mine/release", s.mineReleaseForm)

	s.page(mux, "GET /team", s.teamPage)
	s.page(mux, "POST /team/give", s.teamGiveForm)
	s.page(mux, "POST /team/handover", s.teamHandOverForm)
	s.page(mux, "GET /imports", s.importsPage)
	s.page(mux, "GET /imports/template.xlsx", s.importTemplatePage(sheet.FormatXLSX))
	s.page(mux, "GET /imports/template.csv", s.importTemplatePage(sheet.FormatCSV))
	s.page(mux, "GET /imports/new", s.newImportPage)
	s.uploadPage(mux, "POST /imports/new", s.uploadImportForm)
	s.page(mux, "GET /imports/{id}", s.importPage)
	s.page(mux, "GET /imports/{id}/progress", s.importProgressFragment)
	s.page(mux, "GET /imports/{id}/mapping", s.importMappingPage)
	s.page(mux, "POST /imports/{id}/mapping", s.importMappingForm)
	s.page(mux, "POST /imports/{id}/start", s.startImportForm)
	s.page(mux, "POST /imports/{id}/cancel", s.cancelImportForm)
	s.page(mux, "GET /imports/{id}/errors", s.importErrorsDownload)
	s.page(mux, "GET /admin/pools", s.adminPoolsPage)
	s.page(mux, "GET /admin/pools/new", s.newPoolPage)
	s.page(mux, "POST /admin/pools/new", s.createPoolPost)
	s.page(mux, "GET /admin/pools/{id}", s.poolEditPage)
	s.page(mux, "POST /admin/pools/{id}", s.updatePoolPost)
	s.page(mux, "POST /admin/pools/{id}/preview", s.poolPreviewPost)
	s.page(mux, "GET /admin/users", s.adminUsersPage)
	s.page(mux, "POST /admin/users", s.createUserPost)
	s.page(mux, "GET /admin/users/{id}", s.userEditPage)
	s.page(mux, "POST /admin/users/{id}", s.updateUserPost)
	s.page(mux, "POST /admin/users/{id}/active", s.userActivePost)
	s.page(mux, "POST /admin/users/{id}/password", s.userPasswordPost)
	s.page(mux, "GET /admin/departments", s.adminDepartmentsPage)
	s.page(mux, "POST /admin/departments", s.createDepartmentPost)
	s.page(mux, "GET /admin/settings", s.adminSettingsPage)
	s.page(mux, "POST /admin/settings", s.settingsPost)
	s.page(mux, "GET /admin/audit", s.adminAuditPage)

	s.page(mux, "GET /pool/export", s.poolExportPage)
	s.page(mux, "GET /mine/export", s.mineExportPage)
	s.page(mux, "GET /team/export", s.teamExportPage)
	// Pool hygiene (定期清理公海): hygiene_ui.go.
	s.page(mux, "GET /customers/{id}/invalid", s.invalidPage)
	s.page(mux, "POST /customers/{id}/invalid", s.markInvalidForm)
	s.page(mux, "POST /customers/{id}/flag", s.flagInvalidForm)
	s.page(mux, "GET /admin/archive", s.archivePage)
	s.page(mux, "POST /admin/archive/{id}/restore", s.restoreForm)
	s.page(mux, "GET /admin/hygiene", s.hygieneRulesPage)
	s.page(mux, "POST /admin/hygiene/days", s.archiveDaysForm)
	s.page(mux, "POST /admin/hygiene/{id}", s.hygieneRulesForm)

	// Channels (渠道) and the intake quarantine: channel_ui.go.
	s.page(mux, "GET /admin/channels", s.adminChannelsPage)
	s.page(mux, "POST /admin/channels", s.createChannelPost)
	s.page(mux, "GET /admin/channels/{id}", s.channelPage)
	s.page(mux, "POST /admin/channels/{id}", s.updateChannelPost)
	s.page(mux, "POST /admin/channels/{id}/rotate-key", s.rotateChannelPost)
	s.page(mux, "GET /admin/quarantine", s.quarantinePage)
	s.page(mux, "POST /admin/quarantine/{id}/release", s.releaseQuarantinedPost)
	s.page(mux, "POST /admin/quarantine/{id}/drop", s.dropQuarantinedPost)

	// Reports (报表): report_ui.go.
	s.page(mux, "GET /reports", s.reportsPage)
	s.page(mux, "GET /reports/{name}", s.reportPage)
	s.page(mux, "GET /reports/{name}/customers", s.reportCustomersPage)
	s.page(mux, "GET /reports/{name}/export", s.reportExportPage)

	s.page(mux, "GET /conflicts", s.conflictsPage)
	s.page(mux, "GET /conflicts/{id}", s.conflictPage)
	s.page(mux, "POST /conflicts/{id}/resolve", s.resolveForm)

	// Assignment (分配): assign_ui.go, away_ui.go, distribute_ui.go, unassigned_ui.go.
	s.page(mux, "GET /admin/pools/{id}/assignment", s.assignmentPage)
	s.page(mux, "POST /admin/pools/{id}/assignment", s.assignmentPost)
	s.page(mux, "GET /me/status", s.awayPage)
	s.page(mux, "POST /me/status", s.awayPost)
	s.page(mux, "POST /admin/users/{id}/away", s.userAwayPost)
	s.page(mux, "GET /distribute", s.distributePage)
	s.page(mux, "POST /distribute", s.distributePost)
	s.page(mux, "GET /unassigned", s.unassignedPage)
	s.page(mux, "POST /unassigned/retry", s.retryUnassignedForm)
}

// staticHandler serves the embedded scripts and styles. Their URLs carry
// a version (the static template func), so they may be cached long.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFiles, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pageHeaders(w.Header())
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(w, r)
	})
}
