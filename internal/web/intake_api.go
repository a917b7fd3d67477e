package web

import (
	"bytes"
	"context"
	"encoding/json"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"reflect"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gonghai/gonghai"
)

// POST /api/v1/intake/{key} takes a submission with no session: JSON from
// a program, or a website's plain HTML form (application/x-www-form-
// urlencoded), which is exempt from the cross-origin check (guard) since
// it carries no cookie of ours and acts for nobody. A JSON answer is 202
// {"id","joined"}; a form is sent on to the channel's redirect_url (303)
// or shown a small thank-you page. A held (spam) submission is answered
// exactly like a taken one.

// intakeBody is a submission, the same fields in JSON and in a form.
type intakeBody struct {
	Name        string `json:"name,omitempty" maxLength:"200" doc:"The visitor's name; a name or a company is needed"`
	Company     string `json:"company,omitempty" maxLength:"200"`
	Phone       string `json:"phone,omitempty" maxLength:"40" doc:"A phone, an email or a WeChat id is needed"`
	Email       string `json:"email,omitempty" maxLength:"200"`
	WeChat      string `json:"wechat,omitempty" maxLength:"200"`
	Region      string `json:"region,omitempty" maxLength:"200"`
	Industry    string `json:"industry,omitempty" maxLength:"200"`
	ProductLine string `json:"product_line,omitempty" maxLength:"200"`
	Message     string `json:"message,omitempty" maxLength:"2000" doc:"What the visitor wrote (留言), up to 500 characters"`
	Campaign    string `json:"campaign,omitempty" maxLength:"100"`
	UTMSource   string `json:"utm_source,omitempty" maxLength:"100"`
	UTMMedium   string `json:"utm_medium,omitempty" maxLength:"100"`
	UTMCampaign string `json:"utm_campaign,omitempty" maxLength:"100"`
	Website     string `json:"website,omitempty" maxLength:"2000" doc:"The honeypot: a hidden field people leave empty. Filled, the submission is answered as taken but held as spam"`
}

func (b intakeBody) input() gonghai.IntakeInput {
	return gonghai.IntakeInput{Name: b.Name, Company: b.Company, Phone: b.Phone, Email: b.Email, WeChat: b.WeChat,
		Region: b.Region, Industry: b.Industry, ProductLine: b.ProductLine, Message: b.Message, Campaign: b.Campaign,
		UTMSource: b.UTMSource, UTMMedium: b.UTMMedium, UTMCampaign: b.UTMCampaign, Honeypot: b.Website}
}

func intakeBodyOf(in gonghai.IntakeInput) intakeBody {
	return intakeBody{Name: in.Name, Company: in.Company, Phone: in.Phone, Email: in.Email, WeChat: in.WeChat,
		Region: in.Region, Industry: in.Industry, ProductLine: in.ProductLine, Message: in.Message, Campaign: in.Campaign,
		UTMSource: in.UTMSource, UTMMedium: in.UTMMedium, UTMCampaign: in.UTMCampaign, Website: in.Honeypot}
}

// intakeFields are the form fields read, by JSON name; a form's other
// fields (its submit button, a site's own) are let be.
var intakeFields = func() []string {
	var out []string
	t := reflect.TypeFor[intakeBody]()
	for i := range t.NumField() {
		name, _, _ := bytes.Cut([]byte(t.Field(i).Tag.Get("json")), []byte(","))
		out = append(out, string(name))
	}
	return out
}()

type intakeIn struct {
	Key         string `path:"key" maxLength:"64"`
	ContentType string `header:"Content-Type"`
	RawBody     []byte `contentType:"application/json"`
}

type intakeResultJSON struct {
	ID     string `json:"id" doc:"The lead made, or the record joined"`
	Joined bool   `json:"joined" doc:"The submission's company or contact was an existing record's: it joined that record's timeline"`
}

type intakeOut struct {
	Status       int
	Location     string `header:"Location"`
	ContentType  string `header:"Content-Type"`
	CacheControl string `header:"Cache-Control"`
	Body         []byte
}

// errNotForm refuses a body in neither JSON nor a form.
var errNotForm = gonghai.Errorf(gonghai.EUnsupportedMedia, "send application/json or application/x-www-form-urlencoded")

func (s *Server) intake(ctx context.Context, in *intakeIn) (*intakeOut, error) {
	media, _, _ := mime.ParseMediaType(in.ContentType)
	var b intakeBody
	form := media == "application/x-www-form-urlencoded"
	switch {
	case form:
		values, err := url.ParseQuery(string(in.RawBody))
		if err != nil {
			return nil, gonghai.Invalid("body", "not a form")
		}
		raw := map[string]string{}
		for _, k := range intakeFields {
			if v := values[k]; len(v) > 0 {
				raw[k] = v[0]
			}
		}
		enc, _ := json.Marshal(raw) // strings only: never fails
		_ = json.Unmarshal(enc, &b)
	case media == "application/json":
		if err := uniqueKeys(in.RawBody); err != nil {
			return nil, gonghai.Invalid("body", err.Error())
		}
		d := json.NewDecoder(bytes.NewReader(in.RawBody))
		d.DisallowUnknownFields()
		if err := d.Decode(&b); err != nil {
			return nil, gonghai.Invalid("body", "not a submission: JSON with the fields the document lists")
		}
	default:
		return nil, errNotForm
	}
	res, err := s.store.Intake(ctx, in.Key, b.input(), requestOf(ctx).address)
	if err != nil {
		return nil, err
	}
	out := &intakeOut{Status: http.StatusAccepted, CacheControl: "no-store"}
	switch {
	case !form:
		out.ContentType = "application/json"
		out.Body, _ = json.Marshal(intakeResultJSON{ID: res.ID, Joined: res.Joined && !res.Held})
	case res.Channel.RedirectURL != "":
		out.Status, out.Location = http.StatusSeeOther, res.Channel.RedirectURL
	default:
		var page bytes.Buffer
		_ = thanksPage.Execute(&page, res.Channel.Name) // a constant template over a string
		out.ContentType, out.Body = "text/html; charset=utf-8", page.Bytes()
	}
	return out, nil
}

// thanksPage is what a form post without a redirect shows: no script, no
// style sheet from elsewhere.
var thanksPage = template.Must(template.New("thanks").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>提交成功</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.6">
<h1>提交成功</h1><p>感谢您的咨询，我们会尽快与您联系。</p><p lang="en">Thank you: we will be in touch soon.</p>
</body></html>`))

// documentIntake completes the intake operation in the document: its
// two kinds of body and its three kinds of answer, which huma cannot
// infer from a raw body and a raw answer.
func (s *Server) documentIntake() {
	oapi := s.api.OpenAPI()
	op := oapi.Paths["/api/v1/intake/{key}"].Post
	reg := oapi.Components.Schemas
	sub := reg.Schema(reflect.TypeFor[intakeBody](), true, "IntakeSubmission")
	op.RequestBody = &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
		"application/json":                  {Schema: sub},
		"application/x-www-form-urlencoded": {Schema: sub},
	}}
	op.Responses["202"] = &huma.Response{Description: "Taken: JSON for a JSON submission, a thank-you page for a form",
		Content: map[string]*huma.MediaType{
			"application/json": {Schema: reg.Schema(reflect.TypeFor[intakeResultJSON](), true, "IntakeResult")},
			"text/html":        {Schema: &huma.Schema{Type: huma.TypeString}},
		}}
	op.Responses["303"] = &huma.Response{Description: "Taken: a form is sent on to the channel's redirect_url",
		Headers: map[string]*huma.Param{"Location": {Schema: &huma.Schema{Type: huma.TypeString}}}}
	delete(op.Responses, "200")
}
