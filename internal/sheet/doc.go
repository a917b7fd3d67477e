// Package sheet reads and writes the spreadsheets customers arrive and
// leave in: CSV in the encodings Excel and WPS save in China (UTF-8 with or
// without BOM, UTF-16 with BOM, GB18030) and XLSX, streamed.
//
// Reading is built for files from strangers. Every limit is checked before
// the first row is handed out: the file's bytes (Limits.MaxBytes), its data
// rows (Limits.MaxRows, counted by a full pass at Open) and, for XLSX, what
// the archive unzips to (see xlsxguard.go), so a zip bomb is refused with
// gonghai.ETooLarge in bounded memory. Cells come back trimmed, as the user
// sees them in Excel (a phone number stored as a number reads 13800138000,
// never 1.38e+10), with the row number Excel shows.
//
// AutoMap maps a header row to customer fields by Chinese and English
// aliases; Template writes the file a user fills in.
package sheet
