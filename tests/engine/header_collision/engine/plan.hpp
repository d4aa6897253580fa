// A user's own engine/plan.hpp: parapipe's headers must never pick it up.
#error "parapipe included the user's engine/plan.hpp"
