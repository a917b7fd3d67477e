package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/gonghai/gonghai"
)

// The customer page's 联系人 section: the customer's own contact (its
// primary one, edited with the customer's fields) and the further people
// at it, as the store shows them to the viewer (masked as the customer's
// own contacts are, in full right after a reveal), with forms to add,
// change and remove them for who may edit the customer.

// customerPeople fills d.People with customer id's further contacts as v
// may see them: the ones a reveal just showed, or the store's list.
func (s *Server) customerPeople(ctx context.Context, v *view, id string, d *customerData) error {
	if d.Revealed != nil {
		d.People, d.PeopleFull = d.Revealed.Others, true
		return nil
	}
	all, err := s.store.Contacts(ctx, v.User, id)
	if err != nil {
		return err
	}
	d.People, d.PeopleFull = all[1:], d.SeesContacts // the first is the customer's own
	return nil
}

// contactFormFields reads a contact form's fields: only those sent, so a
// field the form did not show is left as it is.
func contactFormFields(r *http.Request) gonghai.ContactPatch {
	var p gonghai.ContactPatch
	for name, field := range map[string]**string{"name": &p.Name, "title": &p.Title, "phone": &p.Phone, "email": &p.Email, "wechat": &p.WeChat} {
		if vs, ok := r.PostForm[name]; ok {
			*field = &vs[0]
		}
	}
	return p
}

// contactAddForm adds a contact to the customer.
func (s *Server) contactAddForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id := r.PathValue("id")
	var k gonghai.Contact
	contactFormFields(r).Apply(&k)
	if _, err := s.store.AddContact(r.Context(), v.User, id, k); err != nil {
		return s.contactRefused(w, r, v, "contact-add", err)
	}
	return s.backToCustomer(w, r, id, "contact.added")
}

// contactEditForm changes one contact of the customer.
func (s *Server) contactEditForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, contact := r.PathValue("id"), r.PathValue("contact")
	if _, err := s.store.UpdateContact(r.Context(), v.User, id, contact, contactFormFields(r)); err != nil {
		return s.contactRefused(w, r, v, "contact-"+contact, err)
	}
	return s.backToCustomer(w, r, id, "contact.saved")
}

// contactDeleteForm removes one contact of the customer.
func (s *Server) contactDeleteForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, contact := r.PathValue("id"), r.PathValue("contact")
	if err := s.store.DeleteContact(r.Context(), v.User, id, contact); err != nil {
		return s.contactRefused(w, r, v, "contact-"+contact, err)
	}
	return s.backToCustomer(w, r, id, "contact.deleted")
}

// contactRefused shows the customer page again with the contact form's
// values and the fields at fault, for a refusal about them: invalid, a
// phone, email or WeChat id that is another person's, or a contact not
// shown in full. The fields' texts are the catalogue's, never the input.
func (s *Server) contactRefused(w http.ResponseWriter, r *http.Request, v *view, form string, err error) error {
	var e *gonghai.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	fields := localise(v, e.Fields)
	if e.Code != gonghai.EInvalid {
		for f := range fields {
			fields[f] = v.T("contact.refused." + e.Code)
		}
	}
	d := customerData{Form: form, Values: r.PostForm, Errors: fields, Error: v.ErrorText(err)}
	return s.showCustomer(w, r, v, statuses[e.Code], d)
}

// contactFormData is one contact form's fields, for the template
// contact-fields: Key makes its controls' ids unique on the page.
type contactFormData struct {
	V      *view
	Key    string
	Fields []contactInput
}

// contactInput is one control of a contact form.
type contactInput struct {
	Name, Label, Type, Auto, Value, Error string
}

// contactForm is the form named form for contact k (its values, or what
// was sent when that form was refused, with the fields at fault).
func (d customerData) contactForm(v *view, form, key string, k gonghai.Contact) contactFormData {
	out := contactFormData{V: v, Key: key}
	for _, f := range []contactInput{
		{Name: "name", Label: "contact.name", Type: "text", Auto: "off", Value: k.Name},
		{Name: "title", Label: "contact.title", Type: "text", Auto: "off", Value: k.Title},
		{Name: "phone", Label: "customer.field.phone", Type: "tel", Auto: "off", Value: k.Phone},
		{Name: "email", Label: "customer.field.email", Type: "email", Auto: "off", Value: k.Email},
		{Name: "wechat", Label: "customer.field.wechat", Type: "text", Auto: "off", Value: k.WeChat},
	} {
		f.Value, f.Error = d.Value(form, f.Name, f.Value), d.FieldError(form, f.Name)
		out.Fields = append(out.Fields, f)
	}
	return out
}

// ContactEdit is the edit form of contact k.
func (d customerData) ContactEdit(v *view, k gonghai.Contact) contactFormData {
	return d.contactForm(v, "contact-"+k.ID, k.ID, k)
}

// ContactAdd is the form that adds a contact.
func (d customerData) ContactAdd(v *view) contactFormData {
	return d.contactForm(v, "contact-add", "new", gonghai.Contact{})
}
