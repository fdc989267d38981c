from __future__ import annotations

from django.contrib.syndication.views import Feed


class LatestArticlesRss(Feed):
    pass


LatestArticlesAtom = RubriqueRss = RubriqueAtom = LatestArticlesRss
