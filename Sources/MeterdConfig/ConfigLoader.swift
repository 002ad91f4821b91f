import MeterdCore
