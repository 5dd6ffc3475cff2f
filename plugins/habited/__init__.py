"""HabiTED: inclusive housing with support for autistic adults (3F Notre Logis and ISRAA, Roncq).

Young adults aged 18 to 40 with autism or a pervasive developmental disorder (TED), who have
acquired verbal language, travel on public transport and have a daytime activity. Source: the
HabiTED pages (pp. 26-29) of the 2021 regional brochure of remarkable partnerships.
"""

__version__ = "1.0.0"
