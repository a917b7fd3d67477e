package gonghai

// Who may see and do what: pure decisions over facts the store reads. Each
// returns nil or the refusal the caller answers with, so an API call, a
// page that greys out a button and a batch of rows all ask the same
// function and get the same reason.

// Membership is a user's place in one pool, as the store finds it.
type Membership struct {
	// Member: named as a member, or in a member department or below it.
	Member bool
	// Team: the pool serves part of a manager's department subtree (a
	// member department, or a member user, within it). Managers see those
	// pools to follow their teams and assign from them.
	Team bool
}

// CustomerFacts are what deciding about one customer needs: the customer,
// its owner's department path, its pool and the asking user's place in it.
type CustomerFacts struct {
	Customer      Customer
	OwnerDeptPath string
	Pool          Pool
	Membership    Membership
}

// SeesPool reports whether u may see pool p at all: admins see every pool,
// pool admins theirs, members the open pools they belong to, managers the
// open pools that serve their teams. A hidden pool is assign-only, so its
// members do not see it.
func SeesPool(u User, p Pool, m Membership) bool {
	switch {
	case u.Role == RoleAdmin, p.IsAdmin(u.ID):
		return true
	case p.Hidden:
		return false
	default:
		return m.Member || (u.Role == RoleManager && u.DeptPath != "" && m.Team)
	}
}

// SeesUser reports whether viewer may see user u: admins see everyone,
// managers their department subtree, everyone themselves.
func SeesUser(viewer, u User) bool {
	return viewer.Role == RoleAdmin || viewer.ID == u.ID || viewer.Manages(u.DeptPath)
}

// ListsEveryCustomer reports whether viewer's list of customers holds
// every customer, those in pools too: an admin's does. Anyone else's holds
// the customers owned by the users SeesUser lets them see: a manager's
// department subtree, a rep's own. The customers of a pool are listed by
// the pool (SeesPool).
func ListsEveryCustomer(viewer User) bool { return viewer.Role == RoleAdmin }

// CanLeadTeam decides whether u may open the view of a team, its customers
// and its day: managers (their department subtree) and admins (everyone).
func CanLeadTeam(u User) error {
	if u.Role != RoleAdmin && u.Role != RoleManager {
		return Errorf(EForbidden, "only managers and admins lead a team")
	}
	return nil
}

// SeesCustomer reports whether viewer may see the customer at all: its
// owner, admins, the owner's managers and the pool's admins; and, while it
// is in a pool viewer sees, that pool's members and managers.
func SeesCustomer(viewer User, f CustomerFacts) bool {
	switch {
	case viewer.Role == RoleAdmin, f.Pool.IsAdmin(viewer.ID):
		return true
	case f.Customer.OwnerID != "":
		return f.Customer.OwnerID == viewer.ID || viewer.Manages(f.OwnerDeptPath)
	default:
		return SeesPool(viewer, f.Pool, f.Membership)
	}
}

// CanSee is SeesCustomer as an answer: those who may not see a customer are
// told it does not exist, so its existence does not leak.
func CanSee(viewer User, f CustomerFacts) error {
	if !SeesCustomer(viewer, f) {
		return errNoCustomer()
	}
	return nil
}

func errNoCustomer() error { return Errorf(ENotFound, "no such customer") }

// CanWork decides whether actor may work on a customer: change its fields
// or log what happened with it. Its owner, admins and the owner's managers
// may; while it is in a pool, admins and pool admins. A pool admin sees the
// pool's owned customers but does not work them.
func CanWork(actor User, f CustomerFacts) error {
	if err := CanSee(actor, f); err != nil {
		return err
	}
	c := f.Customer
	switch {
	case actor.Role == RoleAdmin:
		return nil
	case c.OwnerID == "" && !f.Pool.IsAdmin(actor.ID):
		return Errorf(EForbidden, "claim the customer before you work on it")
	case c.OwnerID != "" && c.OwnerID != actor.ID && !actor.Manages(f.OwnerDeptPath):
		return Errorf(EForbidden, "the customer is another rep's to work on")
	}
	return nil
}

// CanLock decides whether actor may lock or unlock a customer against
// recycling: admins, the pool's admins and the owner's managers.
func CanLock(actor User, f CustomerFacts) error {
	if err := CanSee(actor, f); err != nil {
		return err
	}
	if actor.Role != RoleAdmin && !f.Pool.IsAdmin(actor.ID) && !actor.Manages(f.OwnerDeptPath) {
		return Errorf(EForbidden, "an admin, the pool's admin or the owner's manager locks customers")
	}
	return nil
}

// CanRelease decides whether actor may give an owned customer back to a
// pool: its owner, admins and the owner's managers.
func CanRelease(actor User, f CustomerFacts) error {
	if err := CanSee(actor, f); err != nil {
		return err
	}
	c := f.Customer
	switch {
	case c.OwnerID == "":
		return Errorf(ENotOwner, "the customer is in a pool already")
	case c.OwnerID != actor.ID && actor.Role != RoleAdmin && !actor.Manages(f.OwnerDeptPath):
		return Errorf(ENotOwner, "the customer is not yours to release")
	}
	return nil
}

// CanReleaseTo decides whether a customer may be released to a pool other
// than its pool's return pool: when its owner may use the pool (owner's
// facts about it in ownerSees), or an admin releases it.
func CanReleaseTo(actor User, ownerSees bool) error {
	if !ownerSees && actor.Role != RoleAdmin {
		return Invalid("pool_id", "not a pool this customer's owner may use")
	}
	return nil
}

// CanReveal decides whether viewer may reveal a customer's contact fields:
// an owned customer's managers and admins; an unowned customer's pool
// admins and admins. Its owner sees them anyway. Pool members must claim a
// customer to see its contacts.
func CanReveal(viewer User, f CustomerFacts) error {
	if err := CanSee(viewer, f); err != nil {
		return err
	}
	if !MayReveal(viewer, f.Customer, f.OwnerDeptPath, f.Pool) {
		return Errorf(EForbidden, "only the owner, the owner's managers and admins see this customer's contacts; claim it first")
	}
	return nil
}

// CanAdminPersonal decides whether actor may export or erase (what) a
// customer's personal data: admins only; others who see it are forbidden.
func CanAdminPersonal(actor User, f CustomerFacts, what string) error {
	if err := CanSee(actor, f); err != nil {
		return err
	}
	if actor.Role != RoleAdmin {
		return Errorf(EForbidden, "only an admin %s customers' personal data", what)
	}
	return nil
}

// CanGive decides whether actor may start to assign (kind EventAssigned) or
// transfer (EventTransferred) a customer to user toID, before anything
// about the receiver is read: the customer must be where the kind expects
// it, and only admins and the owner's managers move a rep's customer to
// another rep.
func CanGive(actor User, kind EventKind, f CustomerFacts, toID string) error {
	if err := CanSee(actor, f); err != nil {
		return err
	}
	c := f.Customer
	switch {
	case kind == EventAssigned && c.OwnerID != "":
		return Errorf(EAlreadyClaimed, "the customer has an owner: transfer it instead")
	case kind == EventTransferred && c.OwnerID == "":
		return Errorf(ENotOwner, "the customer is in a pool: assign it instead")
	case c.OwnerID == toID:
		return Invalid("user_id", "already the owner")
	case kind == EventTransferred && actor.Role != RoleAdmin && !actor.Manages(f.OwnerDeptPath):
		return Errorf(EForbidden, "you do not manage the customer's owner")
	}
	return nil
}

// Receiver is what deciding whether a customer of pool p may go to a user
// needs: the user, their place in p, and the giver's place in p.
type Receiver struct {
	User            User
	Membership      Membership // the receiver's in the pool
	ActorMembership Membership // the giver's in the pool
}

// MayAssign reports whether actor may give customers of pool p to
// receiver r: admins may; managers to the users of their department
// subtree, from the pools they see; the pool's admins to the pool's
// members, and only from the pool (transfer false): a pool admin has no
// authority over a rep's customers, nor over people outside the pool.
func MayAssign(actor User, p Pool, r Receiver, transfer bool) bool {
	switch {
	case actor.Role == RoleAdmin:
		return true
	case actor.Manages(r.User.DeptPath) && SeesPool(actor, p, r.ActorMembership):
		return true
	case transfer || !p.IsAdmin(actor.ID):
		return false
	default:
		return r.Membership.Member
	}
}

// CanOwn decides whether actor may make r.User the owner of a customer of
// pool p: themselves when forSelf (a claim, which has its own rules, or a
// rep creating a customer they found), otherwise as MayAssign allows; and
// force, past holding limits, is for admins only.
func CanOwn(actor User, p Pool, r Receiver, forSelf, transfer, force bool) error {
	if !(forSelf && r.User.ID == actor.ID) && !MayAssign(actor, p, r, transfer) {
		// Neither the pool nor the user is named: the actor may see neither.
		return Errorf(EForbidden, "you may not give this customer to that user")
	}
	return CanForce(actor, force)
}

// CanForce refuses a forced move past holding limits to anyone but an admin.
func CanForce(actor User, force bool) error {
	if force && actor.Role != RoleAdmin {
		return Errorf(EForbidden, "only an admin may force past a holding limit")
	}
	return nil
}

// CanHandOver decides whether actor may hand every customer of user from
// to user to: admins, and managers who manage both users.
func CanHandOver(actor, from, to User, force bool) error {
	switch {
	case !SeesUser(actor, from):
		return Errorf(ENotFound, "no such user")
	case actor.Role != RoleAdmin && !actor.Manages(from.DeptPath):
		return Errorf(EForbidden, "you do not manage %s", from.Login)
	case !SeesUser(actor, to):
		return Invalid("to_user_id", "no such id")
	case actor.Role != RoleAdmin && !actor.Manages(to.DeptPath):
		return Errorf(EForbidden, "you do not manage %s", to.Login)
	}
	return CanForce(actor, force)
}

// CanChangePool decides whether actor may change pool p with in: admins
// change anything, its pool admins only its claim and recycle rules.
func CanChangePool(actor User, p Pool, m Membership, in PoolInput) error {
	switch {
	case !SeesPool(actor, p, m):
		return Errorf(ENotFound, "no such pool")
	case actor.Role != RoleAdmin && !(p.IsAdmin(actor.ID) && in.OnlyRules()):
		return Errorf(EForbidden, "only an admin changes this; pool admins change claim rules")
	}
	return nil
}

// AdminOnly refuses anyone but an admin to do what.
func AdminOnly(actor User, what string) error {
	if actor.Role != RoleAdmin {
		return Errorf(EForbidden, "only an admin %s", what)
	}
	return nil
}
