// Whose rows a reader sees, as every store's reads filter them: all of them (an admin), or one
// owner's (null: the ownerless ones, which anonymous clients see).
export type OwnerScope = { all: true } | { all: false; owner: string | null };

/** SQL parameters of a scope: `($n::boolean OR owner_id IS NOT DISTINCT FROM $n+1::uuid)`. */
export const scopeParams = (scope: OwnerScope): [boolean, string | null] => (scope.all ? [true, null] : [false, scope.owner]);
